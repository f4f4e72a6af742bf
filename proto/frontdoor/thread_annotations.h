// Clang's thread-safety annotations (as LevelDB's port/thread_annotations.h),
// so that `clang -Wthread-safety` checks which mutex guards which member.
// Under other compilers they expand to nothing. Use them with absl::Mutex,
// whose lock and unlock calls are annotated: std::mutex is not (libstdc++),
// so a member guarded by a std::mutex cannot be checked.
//
//   absl::Mutex mu_;
//   std::deque<Pending> queue_ GUARDED_BY(mu_);
//   void DrainLocked() EXCLUSIVE_LOCKS_REQUIRED(mu_);
#pragma once

// Abseil's header (included by absl/synchronization/mutex.h) defines the same
// unprefixed names with the same meaning; include it first so that the two
// never disagree, and define here only what it leaves out.
#include "absl/base/thread_annotations.h"

#if defined(__clang__)
#define FRONTDOOR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FRONTDOOR_THREAD_ANNOTATION(x)
#endif

#ifndef GUARDED_BY
#define GUARDED_BY(x) FRONTDOOR_THREAD_ANNOTATION(guarded_by(x))
#endif
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) FRONTDOOR_THREAD_ANNOTATION(pt_guarded_by(x))
#endif
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) FRONTDOOR_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#endif
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) FRONTDOOR_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#endif
#ifndef EXCLUSIVE_LOCKS_REQUIRED
#define EXCLUSIVE_LOCKS_REQUIRED(...) \
  FRONTDOOR_THREAD_ANNOTATION(exclusive_locks_required(__VA_ARGS__))
#endif
#ifndef SHARED_LOCKS_REQUIRED
#define SHARED_LOCKS_REQUIRED(...) FRONTDOOR_THREAD_ANNOTATION(shared_locks_required(__VA_ARGS__))
#endif
#ifndef LOCKS_EXCLUDED
#define LOCKS_EXCLUDED(...) FRONTDOOR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif
#ifndef LOCK_RETURNED
#define LOCK_RETURNED(x) FRONTDOOR_THREAD_ANNOTATION(lock_returned(x))
#endif
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS FRONTDOOR_THREAD_ANNOTATION(no_thread_safety_analysis)
#endif
