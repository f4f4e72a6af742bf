// Faults injected where they happen: a RocksDB FileSystemWrapper over the
// real file system that a test switches, at run time, to fail WAL syncs,
// writes (appends), flushes, or to act as a full disk (every append, sync
// and new file answers IOStatus::NoSpace, as ENOSPC would). The store is
// opened on it through StoreOptions::env (engine/store.h); clearing the
// fault lets the same store carry on, as freed disk space would.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace frontdoor::testing {

enum class Fault : int {
  kNone = 0,
  kWalSync,    // syncing a WAL file fails (an I/O error)
  kWrite,      // every append fails (an I/O error)
  kFlush,      // flushing (memtable to SST: new .sst files) fails
  kDiskFull,   // appends, syncs and new files fail with NoSpace
};

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FrontdoorFaultFileSystem"; }

  void Set(Fault fault) { fault_.store(static_cast<int>(fault)); }
  Fault fault() const { return static_cast<Fault>(fault_.load()); }
  // How many operations failed since the start.
  int failures() const { return failures_.load(); }

  // Null when nothing is to fail for this file and operation.
  rocksdb::IOStatus Check(const std::string& fname, char op) {
    const Fault f = fault();
    const bool wal = EndsWith(fname, ".log");
    bool fail = false;
    switch (f) {
      case Fault::kNone: break;
      case Fault::kWalSync: fail = wal && op == 's'; break;
      case Fault::kWrite: fail = op == 'a'; break;
      case Fault::kFlush: fail = op == 'n' && EndsWith(fname, ".sst"); break;
      case Fault::kDiskFull: fail = op == 'a' || op == 's' || op == 'n'; break;
    }
    if (!fail) return rocksdb::IOStatus::OK();
    ++failures_;
    if (f == Fault::kDiskFull) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
    // Retryable, as a transient error (a remote disk gone a moment) is
    // reported: RocksDB can resume after it. A permanent one needs a restart.
    auto error = rocksdb::IOStatus::IOError("injected I/O error on " + fname);
    error.SetRetryable(true);
    return error;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(f, 'n'); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), f, this);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(f, 'n'); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), f, this);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(f, 'n'); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = target()->ReuseWritableFile(f, old, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), f, this);
    return s;
  }

 private:
  static bool EndsWith(const std::string& s, const char* tail) {
    const std::string t(tail);
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> t, std::string name, FaultFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(t)), name_(std::move(name)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 'a'); !s.ok()) return s;
      return target()->Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 'a'); !s.ok()) return s;
      return target()->Append(d, o, v, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off,
                                       const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 'a'); !s.ok()) return s;
      return target()->PositionedAppend(d, off, o, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off,
                                       const rocksdb::IOOptions& o,
                                       const rocksdb::DataVerificationInfo& v,
                                       rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 'a'); !s.ok()) return s;
      return target()->PositionedAppend(d, off, o, v, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 's'); !s.ok()) return s;
      return target()->Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 's'); !s.ok()) return s;
      return target()->Fsync(o, dbg);
    }
    rocksdb::IOStatus RangeSync(uint64_t off, uint64_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(name_, 's'); !s.ok()) return s;
      return target()->RangeSync(off, n, o, dbg);
    }

   private:
    std::string name_;
    FaultFileSystem* fs_;
  };

  std::atomic<int> fault_{0};
  std::atomic<int> failures_{0};
};

// An Env for StoreOptions::env whose files go through `fs`.
inline std::shared_ptr<rocksdb::Env> FaultEnv(const std::shared_ptr<FaultFileSystem>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace frontdoor::testing
