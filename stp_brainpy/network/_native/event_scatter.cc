// Event-driven delivery for stp_brainpy.network: out[t] += values[i] (* weights[i, j]) for every
// source i with values[i] != 0 and every target t = targets[i, j] of its padded (ELL) row.
// Rows are padded at their end with an index >= n_out, which ends the row.
// This is data movement only: the model's equations stay in JAX (stp_brainpy.core).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

// Spikes are sparse: most values are exactly 0. A block of 8 whose bits are all zero is skipped at once (a
// -0.0 falls through to the per-value test, which skips it too).
template <typename V>
static inline bool Zero8(const V* v) {
  uint64_t w[sizeof(V)], acc = 0;
  std::memcpy(w, v, 8 * sizeof(V));
  for (size_t k = 0; k < sizeof(V); ++k) acc |= w[k];
  return acc == 0;
}

// Prefetch [p, p + bytes) into the cache (a hint: no effect on the result).
static inline void PrefetchSpan(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (int64_t b = 0; b < bytes; b += 64) __builtin_prefetch(c + b);
}

// o[t] += v[i] (* w[i, j]) over the active sources, in source order then row order (the XLA path's
// scatter order, so both backends round alike). The active sources are collected a batch at a time first, so
// the memory traffic of an event can be requested ahead of its use: the target rows (and weight rows) kAhead
// sources ahead, the target values of a row kTargetsAhead sources ahead (measured at 400k neurons: 8 and 2
// a few per cent faster than 6 and 1). A row is a read from a table
// far larger than the caches and its targets are scattered: without the hints each event waited for its
// misses one by one (~10 ns per event on the COBA workload at 40k neurons).
template <typename V, bool W>
static void ScatterInto(V* o, int64_t n_out, const V* v, int64_t n_pre, const int32_t* t, const V* w, int64_t deg) {
  constexpr int kBatch = 256, kAhead = 8, kTargetsAhead = 2;
  int32_t act[kBatch];
  const uint64_t n_o = static_cast<uint64_t>(n_out);
  int64_t i = 0;
  while (i < n_pre) {
    int n = 0;
    for (; i < n_pre && n < kBatch; ++i) {
      if ((i & 7) == 0 && i + 8 <= n_pre && Zero8(v + i)) {
        i += 7;
        continue;
      }
      if (v[i] != V(0)) act[n++] = static_cast<int32_t>(i);
    }
    for (int a = 0; a < n && a < kAhead; ++a) {
      PrefetchSpan(t + act[a] * deg, deg * 4);
      if (W) PrefetchSpan(w + act[a] * deg, deg * sizeof(V));
    }
    for (int a = 0; a < n; ++a) {
      if (a + kAhead < n) {
        PrefetchSpan(t + act[a + kAhead] * deg, deg * 4);
        if (W) PrefetchSpan(w + act[a + kAhead] * deg, deg * sizeof(V));
      }
      if (a + kTargetsAhead < n) {
        const int32_t* nxt = t + act[a + kTargetsAhead] * deg;
        for (int64_t j = 0; j < deg; ++j) {
          const uint32_t k = static_cast<uint32_t>(nxt[j]);
          if (k >= n_o) break;
          __builtin_prefetch(o + k, 1);
        }
      }
      const int64_t src = act[a];
      const V vi = v[src];
      const int32_t* row = t + src * deg;
      const V* wrow = W ? w + src * deg : nullptr;
      for (int64_t j = 0; j < deg; ++j) {
        const uint32_t k = static_cast<uint32_t>(row[j]);
        if (k >= n_o) break;
        if (W)
          o[k] += vi * wrow[j];
        else
          o[k] += vi;
      }
    }
  }
}

template <ffi::DataType T>
static ffi::Error EllScatter(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> targets,
                             ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = targets.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre)
    return ffi::Error::InvalidArgument("targets must have shape (n_pre, max_degree)");
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  std::fill(o, o + n_out, V(0));
  ScatterInto<V, false>(o, n_out, values.typed_data(), n_pre, targets.typed_data(), nullptr, dims[1]);
  return ffi::Error::Success();
}

template <ffi::DataType T>
static ffi::Error EllScatterW(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> targets,
                              ffi::Buffer<T> weights, ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = targets.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre || weights.element_count() != targets.element_count())
    return ffi::Error::InvalidArgument("targets and weights must have shape (n_pre, max_degree)");
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  std::fill(o, o + n_out, V(0));
  ScatterInto<V, true>(o, n_out, values.typed_data(), n_pre, targets.typed_data(), weights.typed_data(), dims[1]);
  return ffi::Error::Success();
}

// The same added into ``base`` (the result aliases it): several groups and the channels' own state share one
// output, with no zeroing and no separate sum.
template <ffi::DataType T>
static ffi::Error EllAdd(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> targets, ffi::Buffer<T> base,
                         ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = targets.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre)
    return ffi::Error::InvalidArgument("targets must have shape (n_pre, max_degree)");
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  const V* b = base.typed_data();
  if (o != b) std::copy(b, b + n_out, o);
  ScatterInto<V, false>(o, n_out, values.typed_data(), n_pre, targets.typed_data(), nullptr, dims[1]);
  return ffi::Error::Success();
}

template <ffi::DataType T>
static ffi::Error EllAddW(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> targets, ffi::Buffer<T> weights,
                          ffi::Buffer<T> base, ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = targets.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre || weights.element_count() != targets.element_count())
    return ffi::Error::InvalidArgument("targets and weights must have shape (n_pre, max_degree)");
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  const V* b = base.typed_data();
  if (o != b) std::copy(b, b + n_out, o);
  ScatterInto<V, true>(o, n_out, values.typed_data(), n_pre, targets.typed_data(), weights.typed_data(), dims[1]);
  return ffi::Error::Success();
}

#define STP_DEFINE(NAME, DT)                                                                   \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, EllScatter<DT>,                                          \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>());
#define STP_DEFINE_W(NAME, DT)                                                                 \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, EllScatterW<DT>,                                         \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>());

STP_DEFINE(StpEllScatterF32, ffi::F32)
STP_DEFINE(StpEllScatterF64, ffi::F64)
STP_DEFINE_W(StpEllScatterWF32, ffi::F32)
STP_DEFINE_W(StpEllScatterWF64, ffi::F64)
#define STP_DEFINE_ADD(SUFFIX, DT)                                                             \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpEllAdd##SUFFIX, EllAdd<DT>,                                 \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>());                                  \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpEllAddW##SUFFIX, EllAddW<DT>,                               \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>());
STP_DEFINE_ADD(F32, ffi::F32)
STP_DEFINE_ADD(F64, ffi::F64)

// Target-side delay ring: ring (R * n_out,) holds what arrives in each of the next R steps. For
// every active source i and slot j, codes[i, j] = (d mod R) * n_out + t encodes target t and delay d
// (in steps, 1..R); the event lands at (codes + offset) mod (R * n_out), offset = (step mod R) * n_out.
// A code >= R * n_out ends the row (padding). The result aliases the ring (no copy per step).
template <ffi::DataType T>
static ffi::Error RingScatter(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> codes, ffi::Buffer<T> weights,
                              ffi::Buffer<T> ring, ffi::Buffer<ffi::S32> offset, ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = codes.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre || weights.element_count() != codes.element_count())
    return ffi::Error::InvalidArgument("codes and weights must have shape (n_pre, max_degree)");
  const int64_t deg = dims[1];
  const int64_t L = ring.element_count();
  V* o = out->typed_data();
  const V* r = ring.typed_data();
  if (o != r) std::copy(r, r + L, o);
  const int64_t off = static_cast<int64_t>(offset.typed_data()[0]);
  const V* v = values.typed_data();
  const V* w = weights.typed_data();
  const int32_t* c = codes.typed_data();
  for (int64_t i = 0; i < n_pre; ++i) {
    if ((i & 7) == 0 && i + 8 <= n_pre && Zero8(v + i)) {
      i += 7;
      continue;
    }
    const V vi = v[i];
    if (vi == V(0)) continue;
    const int32_t* row = c + i * deg;
    const V* wrow = w + i * deg;
    for (int64_t j = 0; j < deg; ++j) {
      const int64_t k = static_cast<int64_t>(static_cast<uint32_t>(row[j]));
      if (k >= L) break;
      int64_t kk = k + off;
      if (kk >= L) kk -= L;
      o[kk] += vi * wrow[j];
    }
  }
  return ffi::Error::Success();
}

#define STP_DEFINE_RING(NAME, DT)                                                              \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(NAME, RingScatter<DT>,                                         \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>());

STP_DEFINE_RING(StpRingScatterF32, ffi::F32)
STP_DEFINE_RING(StpRingScatterF64, ffi::F64)

// Compaction of a spike vector with the sources' last spike steps: idx[0:count] = the indices i with
// spike[i] (ascending), the rest n_pre (out of range: dropped by the row kernels below); gap[k] = step -
// last[idx[k]] (0 on padding); last[idx[k]] = step for the active ones, in place (the result aliases
// last). Replaces jnp.nonzero (two cumulative sums and a scatter: ~40 us per 3200-vector on XLA CPU)
// and a gather and scatter of last per chunk.
static ffi::Error CompactSince(ffi::Buffer<ffi::PRED> spike, ffi::Buffer<ffi::S32> last, ffi::Buffer<ffi::S32> step,
                               ffi::ResultBuffer<ffi::S32> idx, ffi::ResultBuffer<ffi::S32> count,
                               ffi::ResultBuffer<ffi::S32> gap, ffi::ResultBuffer<ffi::S32> last_out) {
  const int64_t n_pre = spike.element_count();
  const int64_t cap = idx->element_count();
  if (last.element_count() != n_pre || gap->element_count() != cap)
    return ffi::Error::InvalidArgument("last must match spike and gap idx");
  const bool* s = spike.typed_data();
  const int32_t now = step.typed_data()[0];
  int32_t* lo = last_out->typed_data();
  const int32_t* li = last.typed_data();
  if (lo != li) std::copy(li, li + n_pre, lo);
  int32_t* o = idx->typed_data();
  int32_t* g = gap->typed_data();
  int64_t c = 0;
  int64_t i = 0;
  for (; i < n_pre && c < cap; ++i) {
    if ((i & 7) == 0 && i + 8 <= n_pre) {  // spikes are sparse: skip 8 silent sources at a time
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word == 0) {
        i += 7;
        continue;
      }
    }
    if (!s[i]) continue;
    o[c] = static_cast<int32_t>(i);
    g[c] = now - lo[i];
    lo[i] = now;
    ++c;
  }
  std::fill(o + c, o + cap, static_cast<int32_t>(n_pre));
  std::fill(g + c, g + cap, 0);
  count->typed_data()[0] = static_cast<int32_t>(c);
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(StpCompactSince, CompactSince,
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::PRED>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>());

// Row gather / scatter of a table (n, ...) by a short index list (the active sources of a step): the
// heterogeneous STP update moves only the rows of the sources that spiked (the math stays in JAX).
// Gather: out[k] = table[min(idx[k], n - 1)] (clamped, like XLA's default gather).
template <ffi::DataType T>
static ffi::Error GatherRows(ffi::Buffer<T> table, ffi::Buffer<ffi::S32> idx, ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const auto dims = table.dimensions();
  if (dims.size() < 1 || dims[0] < 1) return ffi::Error::InvalidArgument("table must have at least one row");
  const int64_t n = dims[0];
  const int64_t row = table.element_count() / n;
  const int64_t K = idx.element_count();
  const V* t = table.typed_data();
  const int32_t* ix = idx.typed_data();
  V* o = out->typed_data();
  for (int64_t k = 0; k < K; ++k) {
    int64_t i = ix[k];
    i = i < 0 ? 0 : (i >= n ? n - 1 : i);
    std::copy(t + i * row, t + (i + 1) * row, o + k * row);
  }
  return ffi::Error::Success();
}

// Scatter: table[idx[k]] = rows[k] for idx[k] in [0, n) (others dropped); the result aliases the table.
template <ffi::DataType T>
static ffi::Error ScatterRows(ffi::Buffer<T> table, ffi::Buffer<ffi::S32> idx, ffi::Buffer<T> rows,
                              ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const auto dims = table.dimensions();
  const int64_t n = dims.size() ? dims[0] : 0;
  const int64_t row = n ? table.element_count() / n : 0;
  const int64_t K = idx.element_count();
  if (rows.element_count() != K * row) return ffi::Error::InvalidArgument("rows must have shape (len(idx), ...)");
  V* o = out->typed_data();
  const V* t = table.typed_data();
  if (o != t) std::copy(t, t + table.element_count(), o);
  const int32_t* ix = idx.typed_data();
  const V* r = rows.typed_data();
  for (int64_t k = 0; k < K; ++k) {
    const int64_t i = ix[k];
    if (i < 0 || i >= n) continue;
    std::copy(r + k * row, r + (k + 1) * row, o + i * row);
  }
  return ffi::Error::Success();
}

// Target-side ring delivery of a chunk of sources: for each idx[k] < n_pre, vals[k, j] lands at
// (codes[idx[k], j] + offset) mod L (codes >= L end the row), as RingScatter but without gathering the
// chunk's codes first. The result aliases the ring.
template <ffi::DataType T>
static ffi::Error RingRows(ffi::Buffer<ffi::S32> idx, ffi::Buffer<ffi::S32> codes, ffi::Buffer<T> vals,
                           ffi::Buffer<T> ring, ffi::Buffer<ffi::S32> offset, ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const auto dims = codes.dimensions();
  const int64_t K = idx.element_count();
  if (dims.size() != 2 || vals.element_count() != K * dims[1])
    return ffi::Error::InvalidArgument("codes must be (n_pre, deg) and vals (len(idx), deg)");
  const int64_t n_pre = dims[0], deg = dims[1];
  const int64_t L = ring.element_count();
  V* o = out->typed_data();
  const V* r = ring.typed_data();
  if (o != r) std::copy(r, r + L, o);
  const int64_t off = static_cast<int64_t>(offset.typed_data()[0]);
  const int32_t* ix = idx.typed_data();
  const int32_t* c = codes.typed_data();
  const V* v = vals.typed_data();
  for (int64_t k = 0; k < K; ++k) {
    const int64_t i = ix[k];
    if (i < 0 || i >= n_pre) continue;
    const int32_t* row = c + i * deg;
    const V* vrow = v + k * deg;
    for (int64_t j = 0; j < deg; ++j) {
      const int64_t q = static_cast<int64_t>(static_cast<uint32_t>(row[j]));
      if (q >= L) break;
      int64_t qq = q + off;
      if (qq >= L) qq -= L;
      o[qq] += vrow[j];
    }
  }
  return ffi::Error::Success();
}

#define STP_DEFINE_ROWS(SUFFIX, DT)                                                            \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpGatherRows##SUFFIX, GatherRows<DT>,                         \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>());                                  \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpScatterRows##SUFFIX, ScatterRows<DT>,                       \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>());                                  \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpRingRows##SUFFIX, RingRows<DT>,                             \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::S32>>()                  \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>());

STP_DEFINE_ROWS(F32, ffi::F32)
STP_DEFINE_ROWS(F64, ffi::F64)

// Read and clear one slot of the target-side ring: drive[k] = base[k] + ring[offset + k] and ring[offset + k] =
// 0 for k < n (the slot of the step, n = base's length). Both results alias their inputs (drive <- base, ring
// <- ring): XLA's dynamic_slice + add + dynamic_update_slice of the same step copied the whole ring (R * n
// values) twice per step, because the slot's readers were fused apart from the clearing.
template <ffi::DataType T>
static ffi::Error RingTake(ffi::Buffer<T> ring, ffi::Buffer<T> base, ffi::Buffer<ffi::S32> offset,
                           ffi::ResultBuffer<T> drive, ffi::ResultBuffer<T> ring_out) {
  using V = ffi::NativeType<T>;
  const int64_t L = ring.element_count();
  const int64_t n = base.element_count();
  const int64_t off = static_cast<int64_t>(offset.typed_data()[0]);
  if (off < 0 || off + n > L) return ffi::Error::InvalidArgument("ring slot [offset, offset + n) out of range");
  V* r = ring_out->typed_data();
  const V* ri = ring.typed_data();
  if (r != ri) std::copy(ri, ri + L, r);
  V* o = drive->typed_data();
  const V* b = base.typed_data();
  V* s = r + off;
  for (int64_t k = 0; k < n; ++k) o[k] = b[k] + s[k];
  std::fill(s, s + n, V(0));
  return ffi::Error::Success();
}

#define STP_DEFINE_TAKE(SUFFIX, DT)                                                            \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpRingTake##SUFFIX, RingTake<DT>,                             \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<DT>>()                        \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>());

STP_DEFINE_TAKE(F32, ffi::F32)
STP_DEFINE_TAKE(F64, ffi::F64)

// Spike list of a step: ids[0:min(count, cap)] = the indices i with spike[i] (ascending), the rest -1; count =
// the number of true entries (all of them, so the caller sees an overflow). One pass, 8 silent entries at a
// time; replaces jnp.nonzero (cumulative sums over the whole vector, ~60 us per step on the 4000 recorded
// neurons of the working-memory network).
static ffi::Error Compact(ffi::Buffer<ffi::PRED> spike, ffi::ResultBuffer<ffi::S32> ids,
                          ffi::ResultBuffer<ffi::S32> count) {
  const int64_t n = spike.element_count();
  const int64_t cap = ids->element_count();
  const bool* s = spike.typed_data();
  int32_t* o = ids->typed_data();
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) {
    if ((i & 7) == 0 && i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word == 0) {
        i += 7;
        continue;
      }
    }
    if (!s[i]) continue;
    if (c < cap) o[c] = static_cast<int32_t>(i);
    ++c;
  }
  if (c < cap) std::fill(o + c, o + cap, -1);
  count->typed_data()[0] = static_cast<int32_t>(c);
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(StpCompact, Compact,
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::PRED>>()
                                  .Ret<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>());

// Spike counts of index ranges (the recorded blocks of a step): count[r] = #{i in [lo[r], hi[r]) : spike[i]},
// 8 silent entries at a time. One call instead of one XLA reduction (and slice) per block.
static ffi::Error RangeCounts(ffi::Buffer<ffi::PRED> spike, ffi::Buffer<ffi::S32> lo, ffi::Buffer<ffi::S32> hi,
                              ffi::ResultBuffer<ffi::S32> count) {
  const int64_t n = spike.element_count();
  const int64_t k = lo.element_count();
  if (hi.element_count() != k || count->element_count() != k)
    return ffi::Error::InvalidArgument("lo, hi and count must have one entry per range");
  const bool* s = spike.typed_data();
  for (int64_t r = 0; r < k; ++r) {
    const int64_t a = std::max<int64_t>(0, lo.typed_data()[r]);
    const int64_t b = std::min<int64_t>(n, hi.typed_data()[r]);
    int32_t c = 0;
    int64_t i = a;
    for (; i + 8 <= b; i += 8) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word == 0) continue;
      for (int j = 0; j < 8; ++j) c += s[i + j] ? 1 : 0;
    }
    for (; i < b; ++i) c += s[i] ? 1 : 0;
    count->typed_data()[r] = c;
  }
  return ffi::Error::Success();
}

XLA_FFI_DEFINE_HANDLER_SYMBOL(StpRangeCounts, RangeCounts,
                              ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::PRED>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Ret<ffi::Buffer<ffi::S32>>());
