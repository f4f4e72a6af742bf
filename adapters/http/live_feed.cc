// Turning commits into SSE messages, keeping the latest for streams that
// resume, and handing them to open streams. Each message's data is a
// protobuf message written by adapters/json.
#include "adapters/http/live_feed.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <random>

#include "adapters/json/json.h"
#include "boost/asio/post.hpp"
#include "engine/queries.h"
#include "frontdoor/v1/api.pb.h"

namespace frontdoor {

namespace {

// What a live view needs of a contact: where it is and its deadlines.
std::string ContactSummary(const v1::Contact& c) {
  v1::Contact summary;
  summary.set_id(c.id());
  summary.set_state(c.state());
  summary.set_outcome(c.outcome());
  summary.set_source(c.source());
  *summary.mutable_received_at() = c.received_at();
  *summary.mutable_deadlines() = c.deadlines();
  v1::Recommendation* rec = summary.mutable_recommendation();
  rec->set_route(c.recommendation().route());
  rec->set_level(c.recommendation().level());
  rec->set_rag(CurrentRag(c));
  return json::Write(summary);
}

// Eight hex digits, different for each process, so that an id from an
// earlier run of the server is never taken for one of this run's.
std::string RunTag() {
  std::random_device random;
  char out[9];
  std::snprintf(out, sizeof out, "%08x", static_cast<unsigned>(random()));
  return out;
}

}  // namespace

LiveFeed::LiveFeed(size_t max_queued, size_t kept)
    : max_queued_(max_queued), kept_(std::min(kept, max_queued)), run_(RunTag()) {}

std::string LiveFeed::Message(uint64_t n, std::string_view event, const std::string& data) const {
  std::string out = "id: " + run_ + "-" + std::to_string(n) + "\nevent: ";
  out += event;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

bool LiveFeed::Subscription::TakeQueued(std::string& out) {
  absl::MutexLock lock(&mu);
  while (!queue.empty()) {
    out += queue.front();
    queue.pop_front();
  }
  return closed;
}

void LiveFeed::Publish(const CommitNotice& notice) {
  // Also with no stream open: one may reconnect and ask for what it missed.
  std::vector<Kept> messages;
  for (const v1::Event& e : notice.events) {
    if (e.has_timescale_breached()) {
      v1::LiveTimescale data;
      data.set_contact_id(e.contact_id());
      data.set_timescale(e.timescale_breached().name());
      *data.mutable_due_at() = e.timescale_breached().due_at();
      *data.mutable_raised_at() = e.at();
      ++next_id_;
      messages.push_back({next_id_, Message(next_id_, "breach", json::Write(data))});
    } else if (e.has_timescale_due_soon()) {
      v1::LiveTimescale data;
      data.set_contact_id(e.contact_id());
      data.set_timescale(e.timescale_due_soon().name());
      *data.mutable_due_at() = e.timescale_due_soon().due_at();
      ++next_id_;
      messages.push_back({next_id_, Message(next_id_, "near-breach", json::Write(data))});
    }
  }
  for (const auto& record : notice.contacts) {
    ++next_id_;
    messages.push_back({next_id_, Message(next_id_, "contact", ContactSummary(record->contact()))});
  }
  if (!messages.empty()) Deliver(std::move(messages));
}

void LiveFeed::Deliver(std::vector<Kept> messages) {
  absl::MutexLock lock(&mu_);
  for (const auto& sub : subscribers_) {
    {
      absl::MutexLock inner(&sub->mu);
      if (sub->closed) continue;
      if (sub->queue.size() + messages.size() > max_queued_) {
        sub->closed = true;
        sub->queue.clear();
      } else {
        for (const Kept& m : messages) sub->queue.push_back(m.message);
      }
    }
    boost::asio::post(sub->wake.get_executor(), [sub] { sub->wake.cancel(); });
  }
  last_n_ = messages.back().n;
  for (Kept& m : messages) recent_.push_back(std::move(m));
  while (recent_.size() > kept_) recent_.pop_front();
}

std::shared_ptr<LiveFeed::Subscription> LiveFeed::Subscribe(boost::asio::any_io_executor executor,
                                                            std::string_view last_event_id) {
  auto sub = std::make_shared<Subscription>(std::move(executor));
  absl::MutexLock lock(&mu_);
  absl::MutexLock inner(&sub->mu);
  if (closed_) {
    sub->closed = true;
    return sub;
  }
  if (!last_event_id.empty()) {
    // "<run>-<n>" of this run, no newer than the last message, and no
    // older than the one before the oldest kept: what came after it is here.
    uint64_t n = 0;
    std::string_view number;
    bool ours = last_event_id.size() > run_.size() + 1 &&
                last_event_id.substr(0, run_.size()) == run_ && last_event_id[run_.size()] == '-';
    if (ours) {
      number = last_event_id.substr(run_.size() + 1);
      auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
      ours = ec == std::errc() && p == number.data() + number.size();
    }
    uint64_t oldest = recent_.empty() ? last_n_ + 1 : recent_.front().n;
    if (ours && n <= last_n_ && n + 1 >= oldest) {
      for (const Kept& m : recent_) {
        if (m.n > n) sub->queue.push_back(m.message);
      }
    } else {
      // Its id is the latest, so that the client resumes from here once it
      // has reloaded.
      sub->queue.push_back(
          "id: " + run_ + "-" + std::to_string(last_n_) +
          "\nevent: reset\ndata: {\"reason\":\"the messages after Last-Event-ID are no longer "
          "kept: reload the worklist and breaches\"}\n\n");
    }
  }
  subscribers_.push_back(sub);
  return sub;
}

void LiveFeed::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  absl::MutexLock lock(&mu_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscription),
                     subscribers_.end());
}

void LiveFeed::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const auto& sub : subscribers_) {
    {
      absl::MutexLock inner(&sub->mu);
      sub->closed = true;
    }
    boost::asio::post(sub->wake.get_executor(), [sub] { sub->wake.cancel(); });
  }
}

}  // namespace frontdoor
