// Turning commits into SSE messages and handing them to open streams.
#include "adapters/http/live_feed.h"

#include <algorithm>

#include "adapters/json/json.h"
#include "boost/asio/post.hpp"

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
  rec->set_rag(c.state() == v1::ContactState::IN_MASH ? c.mash().rag() : c.recommendation().rag());
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

void LiveFeed::Publish(const CommitNotice& notice) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::vector<std::string> messages;
  for (const v1::Event& e : notice.events) {
    if (e.has_timescale_breached()) {
      std::string data = "{\"contact_id\":";
      json::AppendQuoted(e.contact_id(), data);
      data += ",\"timescale\":";
      json::AppendQuoted(e.timescale_breached().name(), data);
      data += ",\"due_at\":";
      json::AppendMessage(e.timescale_breached().due_at(), data);
      data += ",\"raised_at\":";
      json::AppendMessage(e.at(), data);
      data += '}';
      messages.push_back(Message(++next_id_, "breach", data));
    } else if (e.has_timescale_due_soon()) {
      std::string data = "{\"contact_id\":";
      json::AppendQuoted(e.contact_id(), data);
      data += ",\"timescale\":";
      json::AppendQuoted(e.timescale_due_soon().name(), data);
      data += ",\"due_at\":";
      json::AppendMessage(e.timescale_due_soon().due_at(), data);
      data += '}';
      messages.push_back(Message(++next_id_, "near-breach", data));
    }
  }
  for (const auto& record : notice.contacts) {
    messages.push_back(Message(++next_id_, "contact", ContactSummary(record->contact())));
  }
  Deliver(messages);
}

void LiveFeed::Deliver(const std::vector<std::string>& messages) {
  std::lock_guard lock(mu_);
  for (const auto& sub : subscribers_) {
    {
      std::lock_guard inner(sub->mu);
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

std::shared_ptr<LiveFeed::Subscription> LiveFeed::Subscribe(
    boost::asio::any_io_executor executor) {
  auto sub = std::make_shared<Subscription>(std::move(executor));
  std::lock_guard lock(mu_);
  if (closed_) {
    sub->closed = true;
    return sub;
  }
  subscribers_.push_back(sub);
  count_.store(subscribers_.size());
  return sub;
}

void LiveFeed::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  std::lock_guard lock(mu_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscription),
                     subscribers_.end());
  count_.store(subscribers_.size());
}

void LiveFeed::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (const auto& sub : subscribers_) {
    {
      std::lock_guard inner(sub->mu);
      sub->closed = true;
    }
    boost::asio::post(sub->wake.get_executor(), [sub] { sub->wake.cancel(); });
  }
}

}  // namespace frontdoor
