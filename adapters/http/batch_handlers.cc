// POST /v1/contacts:batch: a partner's batch of contacts (a police force's
// overnight notices), up to 500, each answered as POST /v1/contacts would
// answer it alone, in the same order. A bad item stores nothing and does not
// stop the others; each item's idempotency_key works as that route's
// Idempotency-Key. The good items go to the Processor together, so that they
// commit in as few batches as the queue allows, and the answer comes once
// every acknowledged item is durable.
#include <atomic>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "adapters/http/handlers.h"
#include "adapters/json/json.h"
#include "boost/asio/use_awaitable.hpp"
#include "engine/contact_validation.h"
#include "frontdoor/digest.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace frontdoor {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr size_t kMaxBatchItems = 500;
constexpr size_t kMaxIdempotencyKey = 255;

// Queues every command together and resumes, on the coroutine's executor,
// with all their answers in order. A full queue answers each
// ResourceExhausted at once.
template <typename Token>
auto AsyncSubmitAll(Processor& processor, std::vector<Command> commands, Token&& token) {
  return asio::async_initiate<Token, void(std::vector<CommandResult>)>(
      [&processor](auto handler, std::vector<Command> cmds) {
        auto executor = asio::get_associated_executor(handler);
        using Handler = decltype(handler);
        struct Gather {
          Gather(size_t n, Handler h) : results(n), left(n), resume(std::move(h)) {}
          std::vector<CommandResult> results;
          std::atomic<size_t> left;
          Handler resume;
        };
        const size_t n = cmds.size();
        auto gather = std::make_shared<Gather>(n, std::move(handler));
        auto finish = [gather, executor] {
          asio::post(executor,
                     [gather]() mutable { std::move(gather->resume)(std::move(gather->results)); });
        };
        if (n == 0) {
          finish();
          return;
        }
        std::vector<std::pair<Command, std::function<void(CommandResult)>>> queued;
        queued.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          queued.emplace_back(std::move(cmds[i]), [gather, finish, i](CommandResult result) {
            gather->results[i] = std::move(result);
            if (gather->left.fetch_sub(1) == 1) finish();
          });
        }
        if (!processor.SubmitAll(std::move(queued))) {
          for (auto& result : gather->results) {
            result = Failed(
                absl::ResourceExhaustedError("the front door is busy; try again in a moment"));
          }
          finish();
        }
      },
      token, std::move(commands));
}

// The problem an item's answer carries, exactly as its own request's.
v1::Problem ProblemOf(const Response& response) {
  v1::Problem problem;
  json::Parse(response.body(), &problem);
  return problem;
}

v1::ContactBatchResults::Result ProblemResult(const Response& response) {
  v1::ContactBatchResults::Result result;
  result.set_status(static_cast<int>(response.result_int()));
  *result.mutable_problem() = ProblemOf(response);
  return result;
}

// "items[3].contact.channel" -> item 3, field "channel"; nullopt for a
// field that is not inside one item.
std::optional<std::pair<size_t, std::string>> ItemField(const std::string& field) {
  constexpr std::string_view kItems = "items[";
  if (!field.starts_with(kItems)) return std::nullopt;
  size_t close = field.find(']');
  if (close == std::string::npos) return std::nullopt;
  size_t index = 0;
  for (size_t i = kItems.size(); i < close; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(field[i]))) return std::nullopt;
    index = index * 10 + static_cast<size_t>(field[i] - '0');
  }
  std::string rest = close + 1 < field.size() && field[close + 1] == '.' ? field.substr(close + 2)
                                                                         : std::string("contact");
  if (rest.starts_with("contact.")) rest = rest.substr(8);
  return std::make_pair(index, rest);
}

}  // namespace

HandlerResult PostContactBatch(const ApiDependencies& deps, Call& call) {
  if (!IsJson(call.req)) {
    co_return MakeProblem(call.version(), http::status::unsupported_media_type,
                          "unsupported-media-type", "The body must be JSON",
                          "send Content-Type: application/json");
  }
  v1::ContactBatch batch;
  json::ParseResult parsed = json::Parse(call.req.body(), &batch);
  if (parsed.malformed) {
    co_return MakeProblem(call.version(), http::status::bad_request, "malformed-json",
                          "The body is not JSON", parsed.detail);
  }
  // Errors inside an item belong to that item; any other refuses the batch.
  std::map<size_t, std::vector<FieldError>> item_errors;
  std::vector<FieldError> batch_errors;
  for (FieldError& e : parsed.errors) {
    if (auto item = ItemField(e.field); item && item->first < kMaxBatchItems) {
      item_errors[item->first].push_back({item->second, std::move(e.message), e.line});
    } else {
      batch_errors.push_back(std::move(e));
    }
  }
  const size_t n = static_cast<size_t>(batch.items_size());
  if (n == 0 && batch_errors.empty()) {
    batch_errors.push_back({"items", "must hold at least one contact", 0});
  } else if (n > kMaxBatchItems) {
    batch_errors.push_back({"items",
                            "holds " + std::to_string(n) + " contacts: a batch may hold at most " +
                                std::to_string(kMaxBatchItems) + ", so send the rest in another",
                            0});
  }
  if (!batch_errors.empty()) co_return InvalidRequest(call.version(), batch_errors);

  TimePoint now = deps.clock->Now();
  const auto today = deps.policies->Get().calendar->LocalDate(now);
  std::vector<v1::ContactBatchResults::Result> results(n);
  std::vector<Command> commands;
  std::vector<size_t> command_item;
  for (size_t i = 0; i < n; ++i) {
    v1::ContactBatch::Item& item = *batch.mutable_items(static_cast<int>(i));
    std::vector<FieldError> errors = std::move(item_errors[i]);
    if (errors.empty()) errors = ValidateSubmission(item.contact(), now, today);
    if (item.idempotency_key().size() > kMaxIdempotencyKey) {
      errors.push_back({"idempotency_key", "must be at most 255 characters", 0});
    }
    if (!errors.empty()) {
      results[i] = ProblemResult(InvalidRequest(call.version(), errors));
      continue;
    }
    SubmitContact command;
    command.actor = ActorOf(*call.who);
    command.organisation = call.who->organisation;
    if (!item.idempotency_key().empty()) {
      command.idempotency_key = item.idempotency_key();
      // The item's contact as read, so that the same contact sent again
      // matches however its JSON is spaced or ordered.
      std::string canonical;
      google::protobuf::io::StringOutputStream out(&canonical);
      google::protobuf::io::CodedOutputStream coded(&out);
      coded.SetSerializationDeterministic(true);
      item.contact().SerializeToCodedStream(&coded);
      coded.Trim();
      command.request_sha256 = Sha256Hex("batch item\n" + canonical);
    }
    command.submission = std::move(*item.mutable_contact());
    commands.push_back(std::move(command));
    command_item.push_back(i);
  }

  std::vector<CommandResult> answers =
      co_await AsyncSubmitAll(*deps.processor, std::move(commands), asio::use_awaitable);
  for (size_t k = 0; k < answers.size(); ++k) {
    v1::ContactBatchResults::Result& result = results[command_item[k]];
    const CommandResult& answer = answers[k];
    if (!answer.status.ok()) {
      result = ProblemResult(FromStatus(call, answer.status));
      continue;
    }
    result.set_status(answer.replayed ? 200 : 201);
    *result.mutable_contact() = ViewFor(*call.who, answer.contact->contact());
  }
  v1::ContactBatchResults out;
  for (auto& result : results) *out.add_results() = std::move(result);
  co_return JsonAnswer(call, http::status::ok, out, /*list=*/true);
}

}  // namespace frontdoor
