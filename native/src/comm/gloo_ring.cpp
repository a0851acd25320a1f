#include "comm/gloo_ring.h"

#include <gloo/transport/unbound_buffer.h>

#include <algorithm>

#include "core/errors.h"

namespace neox::comm::gloo_ring {
namespace {

struct Span {
  size_t offset;  // elements
  size_t length;  // elements
};

// Chunk c covers elements [starts[c], starts[c+1]); each chunk is cut into the same number of
// segments, so segment (c, j) of the sender and of the receiver always have the same length.
class Layout {
 public:
  Layout(std::vector<size_t> starts, size_t elem_size, size_t segment_bytes) : starts_(std::move(starts)) {
    size_t longest = 0;
    for (size_t c = 0; c + 1 < starts_.size(); ++c) longest = std::max(longest, starts_[c + 1] - starts_[c]);
    // At least 64 elements per segment keeps every segment non-empty (chunks differ by <= 1).
    const size_t segment_elems = std::max<size_t>(segment_bytes / elem_size, 64);
    segments_ = std::max<size_t>(1, (longest + segment_elems - 1) / segment_elems);
    max_segment_ = (longest + segments_ - 1) / segments_;
  }

  static Layout balanced(size_t count, int size, size_t elem_size, size_t segment_bytes) {
    std::vector<size_t> starts;
    for (int c = 0; c <= size; ++c) starts.push_back(count * static_cast<size_t>(c) / static_cast<size_t>(size));
    return Layout(std::move(starts), elem_size, segment_bytes);
  }

  static Layout equal(size_t count_per_chunk, int size, size_t elem_size, size_t segment_bytes) {
    std::vector<size_t> starts;
    for (int c = 0; c <= size; ++c) starts.push_back(count_per_chunk * static_cast<size_t>(c));
    return Layout(std::move(starts), elem_size, segment_bytes);
  }

  size_t segments() const { return segments_; }
  size_t max_segment() const { return max_segment_; }

  Span segment(int chunk, size_t j) const {
    const size_t start = starts_[static_cast<size_t>(chunk)];
    const size_t length = starts_[static_cast<size_t>(chunk) + 1] - start;
    const size_t begin = length * j / segments_;
    const size_t end = length * (j + 1) / segments_;
    return {start + begin, end - begin};
  }

 private:
  std::vector<size_t> starts_;
  size_t segments_ = 1;
  size_t max_segment_ = 0;
};

// One pass of `steps` ring steps. At step s this rank sends chunk (first_chunk - s) mod size to
// its right neighbour and receives from its left the chunk it will send at step s+1: during the
// first `reduce_steps` steps it adds that chunk into its own, afterwards it takes it as it is.
// (An all-reduce is size-1 reducing steps, which complete chunk first_chunk+1 on this rank,
// followed by size-1 copying steps that pass the completed chunks around.) Transfer
// t = s·segments + j is segment j of step s; send t+segments (the same segment, one step later)
// is posted as soon as receive t is complete, which is when its data is final, so phases and
// steps overlap segment by segment.
//
// Receiving into a chunk that an earlier step sent from is safe without waiting for that send:
// the chunk can only come back after the right neighbour has received this rank's send of it.
void ring_pass(GlooCall& call, const Layout& layout, char* data, size_t elem_size, int first_chunk, size_t steps,
               size_t reduce_steps, SumIntoFn sum_into, const RingTuning& tuning, std::vector<char>& scratch) {
  const int size = call.group().size();
  const int rank = call.group().rank;
  const int left = (rank + size - 1) % size;
  const int right = (rank + 1) % size;
  const size_t m = layout.segments();
  const size_t total = steps * m;
  auto chunk_sent_at = [&](size_t step) {
    const long long c = (static_cast<long long>(first_chunk) - static_cast<long long>(step % size)) % size;
    return static_cast<int>(c < 0 ? c + size : c);
  };
  auto sent_span = [&](size_t t) { return layout.segment(chunk_sent_at(t / m), t % m); };
  auto received_span = [&](size_t t) { return layout.segment(chunk_sent_at(t / m + 1), t % m); };
  auto reduces = [&](size_t t) { return t / m < reduce_steps; };

  const size_t slots = std::min<size_t>(static_cast<size_t>(std::max(tuning.window, 1)), total);
  const size_t slot_bytes = layout.max_segment() * elem_size;
  if (reduce_steps > 0 && scratch.size() < slots * slot_bytes) scratch.resize(slots * slot_bytes);
  auto slot = [&](size_t t) { return scratch.data() + (t % slots) * slot_bytes; };
  std::vector<GlooCall::Buffer> receives(slots);
  std::vector<GlooCall::Buffer> sends;
  sends.reserve(total);

  auto post_send = [&](size_t t) {
    const Span span = sent_span(t);
    sends.push_back(call.buffer(data + span.offset * elem_size, span.length * elem_size));
    call.send(sends.back(), right, 0, span.length * elem_size);
  };
  auto post_recv = [&](size_t t) {
    const Span span = received_span(t);
    char* target = reduces(t) ? slot(t) : data + span.offset * elem_size;
    receives[t % slots] = call.buffer(target, span.length * elem_size);
    call.recv(receives[t % slots], left, 0, span.length * elem_size);
  };

  for (size_t t = 0; t < std::min(m, total); ++t) post_send(t);
  for (size_t t = 0; t < slots; ++t) post_recv(t);
  for (size_t t = 0; t < total; ++t) {
    call.wait_recv(receives[t % slots], left);
    if (reduces(t)) {
      const Span span = received_span(t);
      sum_into(data + span.offset * elem_size, slot(t), span.length);
    }
    if (t + m < total) post_send(t + m);
    if (t + slots < total) post_recv(t + slots);
  }
  // The caller may reuse the buffer once the call returns: every send must have left it.
  for (auto& send : sends) call.wait_send(send, right);
}

}  // namespace

void all_reduce(GlooCall& call, char* data, size_t count, size_t elem_size, SumIntoFn sum_into,
                const RingTuning& tuning, std::vector<char>& scratch) {
  const int size = call.group().size();
  NEOX_ASSERT(count >= static_cast<size_t>(size));
  const Layout layout = Layout::balanced(count, size, elem_size, tuning.segment_bytes);
  const size_t steps = static_cast<size_t>(size - 1);
  ring_pass(call, layout, data, elem_size, call.group().rank, 2 * steps, steps, sum_into, tuning, scratch);
}

void reduce_scatter(GlooCall& call, char* data, size_t count_per_rank, size_t elem_size, SumIntoFn sum_into,
                    const RingTuning& tuning, std::vector<char>& scratch) {
  const int size = call.group().size();
  const Layout layout = Layout::equal(count_per_rank, size, elem_size, tuning.segment_bytes);
  const size_t steps = static_cast<size_t>(size - 1);
  // Starting one chunk to the left makes the chunk completed last this rank's own.
  ring_pass(call, layout, data, elem_size, (call.group().rank + size - 1) % size, steps, steps, sum_into, tuning,
            scratch);
}

void all_gather(GlooCall& call, char* data, size_t count_per_rank, size_t elem_size, const RingTuning& tuning) {
  const int size = call.group().size();
  const Layout layout = Layout::equal(count_per_rank, size, elem_size, tuning.segment_bytes);
  std::vector<char> unused;
  ring_pass(call, layout, data, elem_size, call.group().rank, static_cast<size_t>(size - 1), 0, nullptr, tuning,
            unused);
}

}  // namespace neox::comm::gloo_ring
