// Finding a contact's children again: every child the front door has seen
// is a Person, found by NHS number, or else by normalised family name,
// given name and date of birth (the postcode breaking a tie). From the
// people a new contact names comes what was known when it arrived: earlier
// contacts and referrals in the 12 months before, and any open case.
//
// A PeopleBook reads the store through an overlay of what the current batch
// has changed, so that two contacts in one batch about the same child find
// each other. It is used by one thread; Stage writes its changes into the
// batch that commits them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/store.pb.h"

namespace frontdoor {

// How a child is looked up. Empty parts are not used; nor is an NHS number
// that is never issued (NhsPlaceholder), should one be stored from before
// they were refused.
struct ChildKeys {
  // Ten digits.
  std::string nhs;
  // "family|given|YYYY-MM-DD", names lower-cased, letters and digits only;
  // empty unless the child has a date of birth and a name.
  std::string name_key;
  // Upper-cased, no spaces.
  std::string postcode;
  // YYYY-MM-DD; empty when not given (or the child is unborn).
  std::string date_of_birth;
};
ChildKeys KeysOf(const v1::Child& child);

class PeopleBook {
 public:
  // `person_counter` numbers new people and is advanced as they are made;
  // null makes the book read-only (Find only). Both must outlive the book.
  PeopleBook(const Store& store, uint64_t* person_counter)
      : store_(store), person_counter_(person_counter) {}

  // The person each child is: found, or (read-write books) made new.
  // Read-only books answer "" for a child not found.
  //
  // An NHS number alone never joins two children whose dates of birth
  // differ: the child is found by name and date of birth or made new (the
  // NHS number stays with the person it was first given for), and, when
  // `reviews` is given, an IdentityReview says which child needs a person to
  // look.
  absl::StatusOr<std::vector<std::string>> Resolve(
      const google::protobuf::RepeatedPtrField<v1::Child>& children,
      std::vector<v1::IdentityReview>* reviews = nullptr);

  // Every contact about these people, oldest first, without repeats.
  absl::StatusOr<std::vector<std::string>> ContactsOf(const std::vector<std::string>& person_ids);

  // What was known about these people at `received`: distinct contacts and
  // referrals in the 12 months up to it (not counting `except_contact`),
  // and the first open case.
  absl::StatusOr<v1::Prior> PriorOf(const std::vector<std::string>& person_ids, TimePoint received,
                                    const std::string& except_contact = "");

  absl::Status AddContact(const std::vector<std::string>& person_ids, const std::string& contact_id,
                          TimePoint received);
  absl::Status AddReferral(const std::vector<std::string>& person_ids,
                           const std::string& contact_id, TimePoint referred);
  // Records (or replaces) an open case and marks its children's people.
  absl::Status PutOpenCase(v1::OpenCase open_case);
  // Errors: NotFound when there is no such case.
  absl::Status CloseOpenCase(const std::string& case_id);

  // Writes every change into `batch`.
  void Stage(Store::Batch& batch) const;
  bool HasChanges() const { return !dirty_.empty() || !new_nhs_.empty() || !cases_.empty(); }

 private:
  absl::StatusOr<v1::Person*> Load(const std::string& person_id);
  absl::StatusOr<std::optional<v1::OpenCase>> LoadCase(const std::string& case_id);
  // `nhs_conflict`: set to the person the NHS number belongs to when their
  // date of birth differs from the child's (who is then not that person).
  absl::StatusOr<std::string> Find(const ChildKeys& keys, std::string* nhs_conflict);
  absl::StatusOr<v1::Person*> Make(const ChildKeys& keys);
  // `nhs_taken`: the NHS number already belongs to someone else; the
  // person keeps it but the NHS index is not moved to them.
  void Index(v1::Person& person, const ChildKeys& keys, bool nhs_taken);

  const Store& store_;
  uint64_t* const person_counter_;
  std::map<std::string, v1::Person> people_;    // loaded or made
  std::set<std::string> dirty_;                 // person ids to write
  std::map<std::string, std::string> new_nhs_;  // nhs -> person id
  // Name keys this batch added someone to: everyone with the key.
  std::map<std::string, std::vector<Store::NameMatch>> new_names_;
  std::map<std::string, std::optional<v1::OpenCase>> cases_;  // nullopt: closed
};

}  // namespace frontdoor
