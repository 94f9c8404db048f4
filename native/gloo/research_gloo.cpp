// The kit's C API over Gloo (the collective library PyTorch uses for CPU processes): a full-mesh TCP context whose
// rendezvous goes through a key-value store the caller provides (two callbacks: the kit's TCP store at
// MASTER_ADDR:MASTER_PORT, as PyTorch's TCPStore), and the collectives data-parallel training needs: all-reduce (sum,
// float32), all-gather and broadcast (bytes), barrier. Every entry returns 0, or -1 with Gloo's message in `error`.
#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

extern "C" {
// Stores `len` bytes under `key`; returns 0, or non-zero when the store cannot be reached.
typedef int (*research_store_set)(const char* key, const char* data, int len);
// Waits until `key` is set (at most the store's timeout), copies its value into `buffer` (at most `capacity` bytes)
// and returns its length; -1 on timeout or failure, or the length needed when it is larger than `capacity`.
typedef int (*research_store_get)(const char* key, char* buffer, int capacity);
}

namespace {

void Fail(const char* what, char* error, int capacity) {
  if (error == nullptr || capacity <= 0) return;
  std::strncpy(error, what, static_cast<size_t>(capacity) - 1);
  error[capacity - 1] = '\0';
}

class CallbackStore : public gloo::rendezvous::Store {
 public:
  CallbackStore(research_store_set set, research_store_get get) : set_(set), get_(get) {}

  void set(const std::string& key, const std::vector<char>& data) override {
    if (set_(key.c_str(), data.data(), static_cast<int>(data.size())) != 0)
      throw std::runtime_error("the rendezvous store refused key " + key);
  }

  std::vector<char> get(const std::string& key) override {
    std::vector<char> buffer(64 * 1024);
    auto n = get_(key.c_str(), buffer.data(), static_cast<int>(buffer.size()));
    if (n > static_cast<int>(buffer.size())) {
      buffer.resize(static_cast<size_t>(n));
      n = get_(key.c_str(), buffer.data(), static_cast<int>(buffer.size()));
    }
    if (n < 0) throw std::runtime_error("the rendezvous store has no key " + key + " (timed out or unreachable)");
    buffer.resize(static_cast<size_t>(n));
    return buffer;
  }

  void wait(const std::vector<std::string>& keys) override {
    for (const auto& key : keys) get(key);
  }

 private:
  research_store_set set_;
  research_store_get get_;
};

struct Group {
  std::shared_ptr<gloo::rendezvous::Context> context;
};

template <typename F>
int Guard(F&& body, char* error, int capacity) {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    Fail(e.what(), error, capacity);
    return -1;
  } catch (...) {
    Fail("unknown error", error, capacity);
    return -1;
  }
}

}  // namespace

extern "C" {

// Connects `size` processes (this one is `rank`) over TCP: `hostname` is the address this process listens on ("" for the
// machine's hostname), `iface` a network interface instead ("" for none); `timeout_ms` bounds every later collective.
void* research_gloo_connect(int rank, int size, const char* hostname, const char* iface, long long timeout_ms,
                            research_store_set set, research_store_get get, char* error, int capacity) {
  Group* group = nullptr;
  auto rc = Guard([&] {
    gloo::transport::tcp::attr attr;
    if (iface != nullptr && iface[0] != '\0') attr.iface = iface;
    else if (hostname != nullptr && hostname[0] != '\0') attr.hostname = hostname;
    auto device = gloo::transport::tcp::CreateDevice(attr);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank, size);
    context->setTimeout(std::chrono::milliseconds(timeout_ms));
    CallbackStore store(set, get);
    context->connectFullMesh(store, device);
    group = new Group{context};
  }, error, capacity);
  return rc == 0 ? group : nullptr;
}

// In-place sum of `count` float32 values over every process.
int research_gloo_allreduce_sum_f32(void* handle, float* data, long long count, unsigned tag, char* error, int capacity) {
  return Guard([&] {
    auto* group = static_cast<Group*>(handle);
    gloo::AllreduceOptions opts(group->context);
    opts.setOutput(data, static_cast<size_t>(count));
    opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<float>));
    opts.setTag(tag);
    gloo::allreduce(opts);
  }, error, capacity);
}

// Every process's `bytes` bytes, in rank order, into `output` (size × bytes).
int research_gloo_allgather(void* handle, const void* input, void* output, long long bytes, unsigned tag, char* error, int capacity) {
  return Guard([&] {
    auto* group = static_cast<Group*>(handle);
    gloo::AllgatherOptions opts(group->context);
    opts.setInput(static_cast<char*>(const_cast<void*>(input)), static_cast<size_t>(bytes));
    opts.setOutput(static_cast<char*>(output), static_cast<size_t>(bytes) * group->context->size);
    opts.setTag(tag);
    gloo::allgather(opts);
  }, error, capacity);
}

// Rank `root`'s `bytes` bytes into every process's `data`.
int research_gloo_broadcast(void* handle, void* data, long long bytes, int root, unsigned tag, char* error, int capacity) {
  return Guard([&] {
    auto* group = static_cast<Group*>(handle);
    gloo::BroadcastOptions opts(group->context);
    opts.setOutput(static_cast<char*>(data), static_cast<size_t>(bytes));
    opts.setRoot(root);
    opts.setTag(tag);
    gloo::broadcast(opts);
  }, error, capacity);
}

int research_gloo_barrier(void* handle, unsigned tag, char* error, int capacity) {
  return Guard([&] {
    auto* group = static_cast<Group*>(handle);
    gloo::BarrierOptions opts(group->context);
    opts.setTag(tag);
    gloo::barrier(opts);
  }, error, capacity);
}

void research_gloo_close(void* handle) { delete static_cast<Group*>(handle); }

}  // extern "C"
