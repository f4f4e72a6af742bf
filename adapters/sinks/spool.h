// The spool folder sink: one CloudEvents JSON file per emitted event,
// letters under letters/ and everything else under events/, named by the
// event's stable id. Each page of files is written under temporary names,
// synced with one filesystem sync, then renamed, so a reader never sees half
// a file; the dispatcher (engine/outbox.h) moves the cursor on only after
// Deliver returns, so delivery is at least once (a crash between the two
// rewrites the same files, under the same names).
#pragma once

#include <filesystem>
#include <string_view>

#include "absl/status/status.h"
#include "adapters/sinks/spool_retention.h"
#include "engine/sink.h"

namespace frontdoor {

class Spool final : public Sink {
 public:
  explicit Spool(std::filesystem::path dir, SpoolRetention retention = {})
      : dir_(std::move(dir)), retention_(retention) {}

  // The cursor's name in the store; kept from before the sinks had an
  // interface, so that an existing store carries on where it was.
  static constexpr char kSinkName[] = "spool";

  std::string_view name() const override { return kSinkName; }
  // Letters with an email or phone to go to, breaches, out-of-hours alerts,
  // closures and overdue checks: what the spool has always held.
  bool Wants(const v1::Event& event) const override;
  // Creates the folders; Deliver does again if they have gone. Errors
  // (Unavailable) end with the cause, as errno names it ("...: Not a
  // directory").
  absl::Status Open() override;
  absl::Status Deliver(absl::Span<const v1::OutboxEntry> entries) override;

 private:
  // Before a page is written: PruneSpool once retention_.every has passed
  // since the last time (adapters/sinks/spool_retention.cc). Never fails
  // the delivery; a failure is logged.
  void MaybePrune();

  const std::filesystem::path dir_;
  const SpoolRetention retention_;
  // The Outbox thread's own.
  TimePoint next_prune_at_{};
};

}  // namespace frontdoor
