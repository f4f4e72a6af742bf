// One raw TCP connection to the server under test, for tests that must see
// the exact bytes: odd HTTP written by hand, what the server sends before a
// body, connections held open against a cap. Reads time out after 10 s
// without a byte, so a server that says nothing fails the test, not hangs it.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <string>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/write.hpp"

namespace frontdoor::testing {

class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval wait{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  void Send(const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
  }
  // Everything read so far, reading on until `until` has arrived, or (when
  // `until` is empty) until the server closes or 10 s pass without a byte.
  std::string Read(const std::string& until = "") {
    for (;;) {
      if (!until.empty() && got_.find(until) != std::string::npos) break;
      char buf[4096];
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) break;
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
  std::string Exchange(const std::string& bytes, const std::string& until = "") {
    Send(bytes);
    return Read(until);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string got_;
};

}  // namespace frontdoor::testing
