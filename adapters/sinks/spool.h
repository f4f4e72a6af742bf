// Delivers the outbox to a spool folder: one CloudEvents JSON file per
// emitted event, letters under letters/ and everything else under events/,
// named by the event's stable id. Each page of files is written under
// temporary names, synced with one filesystem sync, then renamed, so a
// reader never sees half a file; the cursor moves
// on only after the files are durable, so delivery is at least once (a
// crash between the two rewrites the same files, under the same names).
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "engine/delivery_watch.h"
#include "engine/metrics.h"
#include "engine/store.h"

namespace frontdoor {

class SpoolDispatcher {
 public:
  // References must outlive the dispatcher. `metrics` may be null.
  SpoolDispatcher(Store& store, std::filesystem::path dir, DeliveryWatch& watch,
                  MetricsRegistry* metrics);
  ~SpoolDispatcher();

  // Creates the folders, reads the cursor and starts the delivery thread.
  absl::Status Start();
  // Finishes the page in hand and stops; the rest stays in the outbox for
  // the next start.
  void Stop();
  // Entries up to `seq` are committed: wake up. Any thread.
  void Notify(uint64_t seq);

  static constexpr char kSinkName[] = "spool";

 private:
  void Run();
  // Delivers one page of entries; how many, or an error.
  absl::StatusOr<size_t> DeliverSome();

  Store& store_;
  const std::filesystem::path dir_;
  DeliveryWatch& watch_;
  Counter* delivered_ = nullptr;
  Counter* failures_ = nullptr;

  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t committed_ = 0;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  uint64_t cursor_ = 0;     // delivery thread only
  std::thread thread_;
};

}  // namespace frontdoor
