#include "pipeline/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <thread>

namespace sentistream {

namespace {

constexpr size_t kMaxRequestHead = 8192;
constexpr int kIoTimeoutMs = 2000;

struct Response {
  int status = 200;
  const char* content_type = "text/plain; charset=utf-8";
  std::string body;
};

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

// Sends all of `data`; false on error or timeout (the client is gone or stuck).
bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void set_timeouts(int fd) {
  timeval tv{kIoTimeoutMs / 1000, (kIoTimeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

std::string parse_listen_address(std::string_view text, ListenAddress* out) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return "expected [IPV6]:PORT, got '" + std::string(text) + "'";
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return "expected HOST:PORT, got '" + std::string(text) + "'";
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return "an IPv6 address needs brackets: [" + std::string(host) + "]:PORT";
    }
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return "port '" + std::string(port) + "' is not a number in 0..65535";
  }
  out->host = std::string(host);
  out->port = static_cast<uint16_t>(value);
  return "";
}

struct MetricsServer::Impl {
  std::function<std::string()> metrics_text;
  std::mutex readiness_mu;
  ReadinessCheck readiness;
  int listen_fd = -1;
  int wake[2] = {-1, -1};  // self-pipe: stop() writes, the server thread's poll() wakes
  uint16_t port = 0;
  std::thread thread;

  ~Impl() {
    for (int fd : {listen_fd, wake[0], wake[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void bind_to(const std::string& listen) {
    ListenAddress addr;
    std::string error = parse_listen_address(listen, &addr);
    if (!error.empty()) throw MetricsServerError("metrics.listen: " + error);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string port_text = std::to_string(addr.port);
    int rc = ::getaddrinfo(addr.host.empty() ? nullptr : addr.host.c_str(), port_text.c_str(),
                           &hints, &found);
    if (rc != 0) {
      throw MetricsServerError("cannot listen on " + listen + ": " + ::gai_strerror(rc));
    }
    std::string last_error = "no address";
    for (addrinfo* ai = found; ai; ai = ai->ai_next) {
      int fd =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
        continue;
      }
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
        listen_fd = fd;
        break;
      }
      last_error = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (listen_fd < 0) throw MetricsServerError("cannot listen on " + listen + ": " + last_error);
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
      throw MetricsServerError(std::string("metrics server: pipe: ") + std::strerror(errno));
    }
  }

  void run() {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    for (;;) {
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[1].revents & POLLIN)) return;
      if (fds[0].revents & (POLLERR | POLLNVAL)) return;  // the listening socket is gone
      if (!(fds[0].revents & POLLIN)) continue;
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // EAGAIN / ECONNABORTED: the client gave up. EMFILE and the like: the connection
        // stays queued, so pause instead of spinning on poll() until descriptors free up.
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR) {
          ::poll(nullptr, 0, 100);
        }
        continue;
      }
      set_timeouts(fd);
      serve(fd);
      ::close(fd);
    }
  }

  Response route(std::string_view method, std::string_view path) {
    Response r;
    if (method != "GET" && method != "HEAD") {
      r.status = 405;
      r.body = "method not allowed\n";
      return r;
    }
    try {
      if (path == "/metrics") {
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_text ? metrics_text() : std::string();
      } else if (path == "/healthz") {
        r.body = "ok\n";
      } else if (path == "/readyz") {
        ReadinessCheck check;
        {
          std::lock_guard lock(readiness_mu);
          check = readiness;
        }
        Readiness state = check ? check() : Readiness{};
        r.status = state.ready ? 200 : 503;
        r.body = state.ready ? "ready\n" : "not ready: " + state.reason + "\n";
      } else {
        r.status = 404;
        r.body = "not found; try /metrics, /healthz or /readyz\n";
      }
    } catch (const std::exception& e) {  // a callback failed: answer, never take the server down
      r.status = 500;
      r.body = std::string("error: ") + e.what() + "\n";
    }
    return r;
  }

  void serve(int fd) {
    std::string head;
    char buf[2048];
    while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
      if (head.size() >= kMaxRequestHead) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (head.empty()) return;  // closed or timed out before sending anything
        break;
      }
      head.append(buf, static_cast<size_t>(n));
    }
    Response r;
    std::string_view method, path;
    std::string_view line(head);
    line = line.substr(0, line.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
      r.status = 400;
      r.body = "bad request\n";
    } else {
      method = line.substr(0, sp1);
      path = line.substr(sp1 + 1, sp2 - sp1 - 1);
      path = path.substr(0, path.find('?'));
      r = route(method, path);
    }
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) +
                      "\r\nContent-Type: " + r.content_type +
                      "\r\nContent-Length: " + std::to_string(r.body.size()) +
                      (r.status == 405 ? "\r\nAllow: GET, HEAD" : "") +
                      "\r\nConnection: close\r\n\r\n";
    if (method != "HEAD") out += r.body;
    send_all(fd, out);
  }
};

MetricsServer::MetricsServer(const std::string& listen, std::function<std::string()> metrics_text,
                             ReadinessCheck readiness)
    : impl_(std::make_unique<Impl>()) {
  impl_->metrics_text = std::move(metrics_text);
  impl_->readiness = std::move(readiness);
  impl_->bind_to(listen);
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

MetricsServer::~MetricsServer() {
  stop();
}

uint16_t MetricsServer::port() const {
  return impl_->port;
}

void MetricsServer::set_readiness(ReadinessCheck readiness) {
  std::lock_guard lock(impl_->readiness_mu);
  impl_->readiness = std::move(readiness);
}

void MetricsServer::stop() {
  if (!impl_->thread.joinable()) return;
  char byte = 1;
  while (::write(impl_->wake[1], &byte, 1) < 0 && errno == EINTR) {
  }
  impl_->thread.join();
}

}  // namespace sentistream
