// Where the outbox goes: the interface a sink implements so that the outbox
// dispatcher (engine/outbox.h) can deliver to it. The spool folder is one
// (adapters/sinks/spool.h); a DeliveryQueue (engine/deliveries.h) is
// another, in front of each webhook subscription and of email. A sink
// knows nothing of the store, the cursor or retries: the dispatcher hands it
// pages of entries in outbox order and moves its cursor on only once a page
// has been delivered, so a sink sees every entry at least once, and sees an
// entry again after a failure or a crash. Each event carries a stable id for
// the receiver to drop repeats with.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "frontdoor/v1/store.pb.h"

namespace frontdoor {

// Called from the dispatcher's one delivery thread only.
class Sink {
 public:
  virtual ~Sink() = default;

  // A short stable name: the sink's cursor is kept under it in the store
  // ("cursor/<name>") and its metrics are labelled with it. Renaming a sink
  // makes it start again from the beginning of the outbox.
  virtual std::string_view name() const = 0;

  // Gets ready to deliver (creates folders, opens connections). Called
  // before the first Deliver, and again, after a backoff, until it succeeds:
  // an error does not stop the server from starting (the dispatcher reports
  // the sink as failing and events wait in the outbox).
  virtual absl::Status Open() { return absl::OkStatus(); }

  // Whether this sink takes `event` at all; the dispatcher passes over the
  // rest (its cursor moves past them). Default: every emitted event.
  virtual bool Wants(const v1::Event& event) const {
    (void)event;
    return true;
  }

  // Delivers `entries` (seq ascending, each with its event), durably: OK
  // means every one of them has left the building. An error means the
  // whole page will be offered again after a backoff (a sink may have
  // delivered some of it already; receivers drop repeats by event id).
  virtual absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) = 0;
};

}  // namespace frontdoor
