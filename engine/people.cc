// Matching children to people, and what their earlier contacts say.
#include "engine/people.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/contact_validation.h"
#include "frontdoor/status_macros.h"

namespace frontdoor {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Lower-case letters and digits only, so that "O'Brien", "o brien" and
// "OBRIEN" are one name. Bytes outside ASCII are kept as they are.
std::string NormaliseName(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x80) {
      out += static_cast<char>(c);
    } else if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    }
  }
  return out;
}

// The same moment 12 months earlier (29 February falls back to the 28th).
TimePoint TwelveMonthsBefore(TimePoint t) {
  sys_days day = std::chrono::floor<days>(t);
  year_month_day ymd(day);
  year_month_day back{ymd.year() - std::chrono::years(1), ymd.month(), ymd.day()};
  if (!back.ok()) {
    back = year_month_day(
        std::chrono::year_month_day_last(back.year(), std::chrono::month_day_last(back.month())));
  }
  return sys_days(back) + (t - day);
}

template <typename Ref>
void AddRef(google::protobuf::RepeatedPtrField<Ref>& refs, const std::string& contact_id,
            const google::protobuf::Timestamp& at) {
  for (const Ref& ref : refs) {
    if (ref.contact_id() == contact_id) return;
  }
  Ref* ref = refs.Add();
  ref->set_contact_id(contact_id);
  if constexpr (std::is_same_v<Ref, v1::Person::ContactRef>) {
    *ref->mutable_received_at() = at;
  } else {
    *ref->mutable_referred_at() = at;
  }
}

// The date of birth a person was found by: the end of their name key
// ("family|given|YYYY-MM-DD"); empty when not known.
std::string_view DateOfBirthOf(const v1::Person& person) {
  std::string_view key = person.name_key();
  size_t bar = key.rfind('|');
  return bar == std::string_view::npos ? std::string_view() : key.substr(bar + 1);
}

}  // namespace

ChildKeys KeysOf(const v1::Child& child) {
  ChildKeys keys;
  for (char c : child.nhs_number()) {
    if (std::isdigit(static_cast<unsigned char>(c))) keys.nhs += c;
  }
  if (keys.nhs.size() != 10 || !NhsPlaceholder(keys.nhs).empty()) keys.nhs.clear();
  std::string family = NormaliseName(child.family_name());
  std::string given = NormaliseName(child.given_name());
  if (child.birth_case() == v1::Child::kDateOfBirth && !(family.empty() && given.empty())) {
    keys.name_key = family + "|" + given + "|" + child.date_of_birth();
  }
  if (child.birth_case() == v1::Child::kDateOfBirth) keys.date_of_birth = child.date_of_birth();
  for (char c : child.postcode()) {
    if (c != ' ') keys.postcode += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return keys;
}

absl::StatusOr<v1::Person*> PeopleBook::Load(const std::string& person_id) {
  if (auto it = people_.find(person_id); it != people_.end()) return &it->second;
  ASSIGN_OR_RETURN(std::optional<v1::Person> stored, store_.GetPerson(person_id));
  if (!stored) return absl::DataLossError("the people index names a missing person " + person_id);
  return &(people_[person_id] = std::move(*stored));
}

absl::StatusOr<std::string> PeopleBook::Find(const ChildKeys& keys, std::string* nhs_conflict) {
  if (!keys.nhs.empty()) {
    std::optional<std::string> by_nhs;
    if (auto it = new_nhs_.find(keys.nhs); it != new_nhs_.end()) {
      by_nhs = it->second;
    } else {
      ASSIGN_OR_RETURN(by_nhs, store_.PersonByNhs(keys.nhs));
    }
    if (by_nhs) {
      ASSIGN_OR_RETURN(v1::Person * person, Load(*by_nhs));
      std::string_view known = DateOfBirthOf(*person);
      if (keys.date_of_birth.empty() || known.empty() || known == keys.date_of_birth) {
        return *by_nhs;
      }
      // Someone else's NHS number, or a mistake in one of the two: never
      // joined on the number alone.
      *nhs_conflict = *by_nhs;
    }
  }
  if (keys.name_key.empty()) return std::string();
  std::vector<Store::NameMatch> candidates;
  if (auto it = new_names_.find(keys.name_key); it != new_names_.end()) {
    candidates = it->second;
  } else {
    ASSIGN_OR_RETURN(candidates, store_.PeopleByName(keys.name_key));
  }
  std::string chosen;
  for (const Store::NameMatch& candidate : candidates) {
    ASSIGN_OR_RETURN(v1::Person * person, Load(candidate.person_id));
    // A different NHS number is a different child, whatever the name.
    if ((!keys.nhs.empty() && !person->nhs_number().empty() && person->nhs_number() != keys.nhs) ||
        person->person_id() == *nhs_conflict) {
      continue;
    }
    if (!keys.postcode.empty() && person->postcode() == keys.postcode) return person->person_id();
    if (chosen.empty()) chosen = person->person_id();
  }
  return chosen;
}

absl::StatusOr<v1::Person*> PeopleBook::Make(const ChildKeys& keys) {
  char id[32];
  std::snprintf(id, sizeof id, "P-%08llu", static_cast<unsigned long long>(++*person_counter_));
  if (!keys.name_key.empty()) {
    auto it = new_names_.find(keys.name_key);
    if (it == new_names_.end()) {
      ASSIGN_OR_RETURN(std::vector<Store::NameMatch> stored, store_.PeopleByName(keys.name_key));
      it = new_names_.emplace(keys.name_key, std::move(stored)).first;
    }
    it->second.push_back({id, keys.postcode});
  }
  v1::Person& person = people_[id];
  person.set_person_id(id);
  person.set_name_key(keys.name_key);
  return &person;
}

void PeopleBook::Index(v1::Person& person, const ChildKeys& keys, bool nhs_taken) {
  if (!keys.nhs.empty() && person.nhs_number().empty()) {
    person.set_nhs_number(keys.nhs);
    if (!nhs_taken) new_nhs_[keys.nhs] = person.person_id();
    dirty_.insert(person.person_id());
  }
  if (!keys.postcode.empty() && person.postcode() != keys.postcode) {
    person.set_postcode(keys.postcode);
    dirty_.insert(person.person_id());
  }
}

absl::StatusOr<std::vector<std::string>> PeopleBook::Resolve(
    const google::protobuf::RepeatedPtrField<v1::Child>& children,
    std::vector<v1::IdentityReview>* reviews) {
  std::vector<std::string> ids;
  for (int i = 0; i < children.size(); ++i) {
    ChildKeys keys = KeysOf(children[i]);
    std::string conflict;
    ASSIGN_OR_RETURN(std::string id, Find(keys, &conflict));
    if (!conflict.empty() && reviews != nullptr) {
      v1::IdentityReview& review = reviews->emplace_back();
      review.set_child(i);
      review.set_matched_person_id(conflict);
      review.set_reason(
          "The NHS number given is already known for a child with a different date of birth. "
          "The two were not treated as the same child: check who this child is.");
    }
    if (person_counter_ == nullptr) {
      ids.push_back(std::move(id));
      continue;
    }
    v1::Person* person = nullptr;
    if (id.empty()) {
      ASSIGN_OR_RETURN(person, Make(keys));
      dirty_.insert(person->person_id());
    } else {
      ASSIGN_OR_RETURN(person, Load(id));
    }
    Index(*person, keys, /*nhs_taken=*/!conflict.empty());
    ids.push_back(person->person_id());
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> PeopleBook::ContactsOf(
    const std::vector<std::string>& person_ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& id : person_ids) {
    if (id.empty()) continue;
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    for (const auto& ref : person->contacts()) {
      if (seen.insert(ref.contact_id()).second) out.push_back(ref.contact_id());
    }
  }
  return out;
}

absl::StatusOr<std::optional<v1::OpenCase>> PeopleBook::LoadCase(const std::string& case_id) {
  if (auto it = cases_.find(case_id); it != cases_.end()) return it->second;
  return store_.GetOpenCase(case_id);
}

absl::StatusOr<v1::Prior> PeopleBook::PriorOf(const std::vector<std::string>& person_ids,
                                              TimePoint received,
                                              const std::string& except_contact) {
  const TimePoint from = TwelveMonthsBefore(received);
  std::set<std::string> contacts, referrals;
  v1::Prior prior;
  for (const std::string& id : person_ids) {
    if (id.empty()) continue;
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    for (const auto& ref : person->contacts()) {
      TimePoint at = FromProto(ref.received_at());
      // "Before" includes an earlier contact stamped the same millisecond.
      if (at >= from && at <= received && ref.contact_id() != except_contact) {
        contacts.insert(ref.contact_id());
      }
    }
    for (const auto& ref : person->referrals()) {
      TimePoint at = FromProto(ref.referred_at());
      if (at >= from && at <= received && ref.contact_id() != except_contact) {
        referrals.insert(ref.contact_id());
      }
    }
    for (const std::string& case_id : person->open_cases()) {
      if (prior.has_open_case()) break;
      ASSIGN_OR_RETURN(std::optional<v1::OpenCase> open_case, LoadCase(case_id));
      if (!open_case) continue;
      prior.mutable_open_case()->set_case_id(open_case->case_id());
      prior.mutable_open_case()->set_team(open_case->team());
    }
  }
  prior.set_contacts_12m(static_cast<int32_t>(contacts.size()));
  prior.set_referrals_12m(static_cast<int32_t>(referrals.size()));
  return prior;
}

absl::Status PeopleBook::AddContact(const std::vector<std::string>& person_ids,
                                    const std::string& contact_id, TimePoint received) {
  for (const std::string& id : person_ids) {
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    AddRef(*person->mutable_contacts(), contact_id, ToProto(received));
    dirty_.insert(id);
  }
  return absl::OkStatus();
}

absl::Status PeopleBook::AddReferral(const std::vector<std::string>& person_ids,
                                     const std::string& contact_id, TimePoint referred) {
  for (const std::string& id : person_ids) {
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    AddRef(*person->mutable_referrals(), contact_id, ToProto(referred));
    dirty_.insert(id);
  }
  return absl::OkStatus();
}

absl::Status PeopleBook::PutOpenCase(v1::OpenCase open_case) {
  if (auto previous = LoadCase(open_case.case_id()); !previous.ok()) {
    return previous.status();
  } else if (previous->has_value()) {
    RETURN_IF_ERROR(CloseOpenCase(open_case.case_id()));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> ids, Resolve(open_case.children()));
  open_case.clear_person_ids();
  for (const std::string& id : ids) {
    open_case.add_person_ids(id);
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    if (std::find(person->open_cases().begin(), person->open_cases().end(), open_case.case_id()) ==
        person->open_cases().end()) {
      person->add_open_cases(open_case.case_id());
    }
    dirty_.insert(id);
  }
  cases_[open_case.case_id()] = std::move(open_case);
  return absl::OkStatus();
}

absl::Status PeopleBook::CloseOpenCase(const std::string& case_id) {
  ASSIGN_OR_RETURN(std::optional<v1::OpenCase> open_case, LoadCase(case_id));
  if (!open_case) return absl::NotFoundError("no open case " + case_id);
  for (const std::string& id : open_case->person_ids()) {
    ASSIGN_OR_RETURN(v1::Person * person, Load(id));
    auto* cases = person->mutable_open_cases();
    cases->erase(std::remove(cases->begin(), cases->end(), case_id), cases->end());
    dirty_.insert(id);
  }
  cases_[case_id] = std::nullopt;
  return absl::OkStatus();
}

void PeopleBook::Stage(Store::Batch& batch) const {
  for (const std::string& id : dirty_) batch.PutPerson(people_.at(id));
  for (const auto& [nhs, id] : new_nhs_) batch.PutPersonByNhs(nhs, id);
  for (const auto& [name_key, people] : new_names_) batch.PutPeopleByName(name_key, people);
  for (const auto& [case_id, open_case] : cases_) {
    if (open_case) {
      batch.PutOpenCase(*open_case);
    } else {
      batch.DeleteOpenCase(case_id);
    }
  }
}

}  // namespace frontdoor
