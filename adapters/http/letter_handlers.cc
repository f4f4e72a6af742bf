// Letters and how they went out: GET /v1/contacts/{id}/letters (each of the
// contact's letters with its delivery state and text), GET /v1/letters
// (the letters to send by post, oldest first, paged), GET /v1/letters/{id}
// (one, with its text, for printing) and POST /v1/letters/{id}/posted
// (someone printed and posted it). The states come from the LetterBook
// (engine/letters.h); every read of a letter is recorded in the read audit
// as LETTERS, since a letter names its recipient.
#include "adapters/http/handlers.h"
#include "adapters/http/query_params.h"
#include "engine/letters.h"

namespace frontdoor {

namespace http = boost::beast::http;

namespace {

// The server's book, or one over the store for reads in tests that have
// none (the book keeps no state of its own but its lock).
struct BookRef {
  explicit BookRef(const ApiDependencies& deps)
      : local(deps.letters == nullptr ? std::make_unique<LetterBook>(*deps.store) : nullptr),
        book(deps.letters != nullptr ? *deps.letters : *local) {}
  std::unique_ptr<LetterBook> local;
  LetterBook& book;
};

}  // namespace

HandlerResult GetLetters(const ApiDependencies& deps, Call& call) {
  auto record = LoadContact(deps, call);
  if (!record.ok()) co_return FromStatus(call, record.status());
  BookRef ref(deps);
  auto list = ref.book.OfContact(call.contact_id);
  if (!list.ok()) co_return FromStatus(call, list.status());
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::LETTERS)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, *list, /*list=*/true);
}

HandlerResult GetLettersToPost(const ApiDependencies& deps, Call& call) {
  std::vector<FieldError> errors;
  if (auto state = QueryParam(call.query, "state"); state && *state != "TO_POST") {
    errors.push_back({"state",
                      "must be TO_POST: the letters to send by post (those with no email "
                      "address and those whose email failed)",
                      0});
  }
  std::optional<size_t> limit = ReadLimit(call.query, errors);
  std::string token = QueryParam(call.query, "page_token").value_or("");
  if (!errors.empty()) co_return InvalidRequest(call.version(), errors);
  BookRef ref(deps);
  auto list = ref.book.ToPost(*limit, token);
  if (!list.ok()) {
    if (list.status().code() == absl::StatusCode::kInvalidArgument) {
      co_return InvalidRequest(call.version(),
                               {{"page_token", "is not a page token this server gave", 0}});
    }
    co_return FromStatus(call, list.status());
  }
  AuditedRead read;
  read.what = v1::AuditRead::LETTERS;
  for (const v1::LetterDelivery& l : list->letters()) read.contact_ids.push_back(l.contact_id());
  if (auto refused = co_await Audit(deps, call, std::move(read))) co_return std::move(*refused);
  Response res = JsonAnswer(call, http::status::ok, *list, /*list=*/true);
  co_return res;
}

HandlerResult GetLetter(const ApiDependencies& deps, Call& call) {
  BookRef ref(deps);
  auto letter = ref.book.Get(call.params.at(0));
  if (!letter.ok()) co_return FromStatus(call, letter.status());
  if (!letter->has_value()) {
    co_return FromStatus(call, absl::NotFoundError("no letter " + call.params.at(0)));
  }
  call.contact_id = (*letter)->contact_id();
  if (auto refused = co_await Audit(deps, call, v1::AuditRead::LETTERS)) {
    co_return std::move(*refused);
  }
  co_return JsonAnswer(call, http::status::ok, **letter);
}

HandlerResult PostLetterPosted(const ApiDependencies& deps, Call& call) {
  v1::LetterPostedRequest posted;
  if (!call.req.body().empty()) {
    if (auto problem = ReadBody(call, &posted)) co_return std::move(*problem);
  }
  if (posted.note().size() > 500) {
    co_return InvalidRequest(call.version(), {{"note", "must be at most 500 characters", 0}});
  }
  if (deps.letters == nullptr) {
    co_return FromStatus(call, absl::UnavailableError("no letter book in this server"));
  }
  auto letter = deps.letters->MarkPosted(call.params.at(0), ActorOf(*call.who), posted.note(),
                                         deps.clock->Now());
  if (!letter.ok()) co_return FromStatus(call, letter.status());
  call.contact_id = letter->contact_id();
  co_return JsonAnswer(call, http::status::ok, *letter);
}

}  // namespace frontdoor
