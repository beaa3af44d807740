// Event-driven delivery for stp_brainpy.network: out[t] += values[i] (* weights[i, j]) for every
// source i with values[i] != 0 and every target t = targets[i, j] of its padded (ELL) row.
// Rows are padded at their end with an index >= n_out, which ends the row.
// This is data movement only: the model's equations stay in JAX (stp_brainpy.core).
#include <algorithm>
#include <cstdint>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

template <ffi::DataType T>
static ffi::Error EllScatter(ffi::Buffer<T> values, ffi::Buffer<ffi::S32> targets,
                             ffi::ResultBuffer<T> out) {
  using V = ffi::NativeType<T>;
  const int64_t n_pre = values.element_count();
  const auto dims = targets.dimensions();
  if (dims.size() != 2 || dims[0] != n_pre)
    return ffi::Error::InvalidArgument("targets must have shape (n_pre, max_degree)");
  const int64_t deg = dims[1];
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  std::fill(o, o + n_out, V(0));
  const V* v = values.typed_data();
  const int32_t* t = targets.typed_data();
  for (int64_t i = 0; i < n_pre; ++i) {
    const V vi = v[i];
    if (vi == V(0)) continue;
    const int32_t* row = t + i * deg;
    for (int64_t j = 0; j < deg; ++j) {
      const uint32_t k = static_cast<uint32_t>(row[j]);
      if (k >= static_cast<uint64_t>(n_out)) break;
      o[k] += vi;
    }
  }
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
  const int64_t deg = dims[1];
  const int64_t n_out = out->element_count();
  V* o = out->typed_data();
  std::fill(o, o + n_out, V(0));
  const V* v = values.typed_data();
  const V* w = weights.typed_data();
  const int32_t* t = targets.typed_data();
  for (int64_t i = 0; i < n_pre; ++i) {
    const V vi = v[i];
    if (vi == V(0)) continue;
    const int32_t* row = t + i * deg;
    const V* wrow = w + i * deg;
    for (int64_t j = 0; j < deg; ++j) {
      const uint32_t k = static_cast<uint32_t>(row[j]);
      if (k >= static_cast<uint64_t>(n_out)) break;
      o[k] += vi * wrow[j];
    }
  }
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
