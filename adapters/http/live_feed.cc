// Turning commits into SSE messages and handing them to open streams. Each
// message's data is a protobuf message written by adapters/json.
#include "adapters/http/live_feed.h"

#include <algorithm>

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

std::string Message(uint64_t id, std::string_view event, const std::string& data) {
  std::string out = "id: " + std::to_string(id) + "\nevent: ";
  out += event;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

}  // namespace

bool LiveFeed::Subscription::TakeQueued(std::string& out) {
  absl::MutexLock lock(&mu);
  while (!queue.empty()) {
    out += queue.front();
    queue.pop_front();
  }
  return closed;
}

void LiveFeed::Publish(const CommitNotice& notice) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::vector<std::string> messages;
  for (const v1::Event& e : notice.events) {
    if (e.has_timescale_breached()) {
      v1::LiveTimescale data;
      data.set_contact_id(e.contact_id());
      data.set_timescale(e.timescale_breached().name());
      *data.mutable_due_at() = e.timescale_breached().due_at();
      *data.mutable_raised_at() = e.at();
      messages.push_back(Message(++next_id_, "breach", json::Write(data)));
    } else if (e.has_timescale_due_soon()) {
      v1::LiveTimescale data;
      data.set_contact_id(e.contact_id());
      data.set_timescale(e.timescale_due_soon().name());
      *data.mutable_due_at() = e.timescale_due_soon().due_at();
      messages.push_back(Message(++next_id_, "near-breach", json::Write(data)));
    }
  }
  for (const auto& record : notice.contacts) {
    messages.push_back(Message(++next_id_, "contact", ContactSummary(record->contact())));
  }
  Deliver(messages);
}

void LiveFeed::Deliver(const std::vector<std::string>& messages) {
  absl::MutexLock lock(&mu_);
  for (const auto& sub : subscribers_) {
    {
      absl::MutexLock inner(&sub->mu);
      if (sub->closed) continue;
      if (sub->queue.size() + messages.size() > max_queued_) {
        sub->closed = true;
        sub->queue.clear();
      } else {
        sub->queue.insert(sub->queue.end(), messages.begin(), messages.end());
      }
    }
    boost::asio::post(sub->wake.get_executor(), [sub] { sub->wake.cancel(); });
  }
}

std::shared_ptr<LiveFeed::Subscription> LiveFeed::Subscribe(boost::asio::any_io_executor executor) {
  auto sub = std::make_shared<Subscription>(std::move(executor));
  absl::MutexLock lock(&mu_);
  if (closed_) {
    absl::MutexLock inner(&sub->mu);
    sub->closed = true;
    return sub;
  }
  subscribers_.push_back(sub);
  count_.store(subscribers_.size());
  return sub;
}

void LiveFeed::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  absl::MutexLock lock(&mu_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscription),
                     subscribers_.end());
  count_.store(subscribers_.size());
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
