// MetricsServer: the metrics port. A deliberately small HTTP/1.1 server for three
// endpoints, because prometheus-cpp 1.0's Exposer (Debian 12) serves only /metrics and
// offers no way to add handlers:
//
//   GET /metrics  200, Prometheus text format 0.0.4 (the `metrics_text` callback)
//   GET /healthz  200 "ok" while the process is alive
//   GET /readyz   200 "ready", or 503 with the readiness check's reason
//
// One thread: poll() on the listening socket, then per connection read the request head
// (at most 8 KiB, 2 s timeout), answer with Content-Length and close the connection.
// Scrapes are rare (seconds apart), so one request at a time is plenty, and a slow or
// silent client costs at most the timeout. HEAD is answered without a body; other
// methods get 405, unknown paths 404, malformed requests 400.
//
// Lifecycle: the constructor binds and starts the thread (throws MetricsServerError if
// the address is malformed or cannot be bound, e.g. port in use); the destructor (or
// stop()) wakes the thread and joins it. Callbacks run on the server thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sentistream {

class MetricsServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Readiness {
  bool ready = true;
  std::string reason;  // shown with 503 when not ready
};
using ReadinessCheck = std::function<Readiness()>;

struct ListenAddress {
  std::string host;  // empty = every interface
  uint16_t port = 0;
};
// "HOST:PORT", "[IPV6]:PORT" or ":PORT" (every interface). Port 0 = any free port.
// Returns an error message, empty when `text` is valid.
std::string parse_listen_address(std::string_view text, ListenAddress* out);

class MetricsServer {
 public:
  MetricsServer(const std::string& listen, std::function<std::string()> metrics_text,
                ReadinessCheck readiness = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port (useful with port 0).
  uint16_t port() const;
  // Replaces the readiness check (live mode sets it once the consumer is up). An empty
  // check means ready.
  void set_readiness(ReadinessCheck readiness);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentistream
