// Online spike statistics for stp_brainpy.network (compiled into the same library as event_scatter.cc).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

// Online spike statistics of one step, in place (results alias count, last, n_isi, s1, s2): for every i with
// spike[i], count += 1; where last >= 0 an interval isi = step - last is added (n_isi += 1, s1 += isi,
// s2 += isi * isi); last = step. The same arithmetic as the dense XLA update, touching only the spikers.
// pop[k] = the number of spikes in [bounds[k], bounds[k + 1]) (the populations' counts of the step).
template <ffi::DataType T>
static ffi::Error SpikeStats(ffi::Buffer<ffi::PRED> spike, ffi::Buffer<ffi::S32> count, ffi::Buffer<ffi::S32> last,
                             ffi::Buffer<ffi::S32> n_isi, ffi::Buffer<T> s1, ffi::Buffer<T> s2,
                             ffi::Buffer<ffi::S32> step, ffi::Buffer<ffi::S32> bounds, ffi::ResultBuffer<ffi::S32> count_o,
                             ffi::ResultBuffer<ffi::S32> last_o, ffi::ResultBuffer<ffi::S32> n_isi_o,
                             ffi::ResultBuffer<T> s1_o, ffi::ResultBuffer<T> s2_o, ffi::ResultBuffer<ffi::S32> pop) {
  using V = ffi::NativeType<T>;
  const int64_t n = spike.element_count();
  if (count.element_count() != n || last.element_count() != n || n_isi.element_count() != n ||
      s1.element_count() != n || s2.element_count() != n)
    return ffi::Error::InvalidArgument("statistics must match the spike vector");
  int32_t* c = count_o->typed_data();
  int32_t* l = last_o->typed_data();
  int32_t* m = n_isi_o->typed_data();
  V* a = s1_o->typed_data();
  V* b = s2_o->typed_data();
  if (c != count.typed_data()) std::copy(count.typed_data(), count.typed_data() + n, c);
  if (l != last.typed_data()) std::copy(last.typed_data(), last.typed_data() + n, l);
  if (m != n_isi.typed_data()) std::copy(n_isi.typed_data(), n_isi.typed_data() + n, m);
  if (a != s1.typed_data()) std::copy(s1.typed_data(), s1.typed_data() + n, a);
  if (b != s2.typed_data()) std::copy(s2.typed_data(), s2.typed_data() + n, b);
  const bool* s = spike.typed_data();
  const int32_t now = step.typed_data()[0];
  const int64_t n_pop = pop->element_count();
  if (bounds.element_count() != n_pop + 1) return ffi::Error::InvalidArgument("bounds must hold n_pop + 1 entries");
  const int32_t* bd = bounds.typed_data();
  int32_t* pc = pop->typed_data();
  for (int64_t k = 0; k < n_pop; ++k) pc[k] = 0;
  // The spikers are collected a batch at a time and their five statistics requested before they are updated:
  // the arrays are n values each and mostly out of cache by the time a step ends, so updating them one
  // spiker at a time waited for up to five misses per spike.
  constexpr int kBatch = 256;
  int32_t act[kBatch];
  int64_t k = 0;
  int64_t i = 0;
  while (i < n) {
    int na = 0;
    for (; i < n && na < kBatch; ++i) {
      if ((i & 7) == 0 && i + 8 <= n) {
        uint64_t word;
        std::memcpy(&word, s + i, 8);
        if (word == 0) {
          i += 7;
          continue;
        }
      }
      if (s[i]) act[na++] = static_cast<int32_t>(i);
    }
    for (int q = 0; q < na; ++q) {
      const int64_t j = act[q];
      __builtin_prefetch(c + j, 1);
      __builtin_prefetch(l + j, 1);
      __builtin_prefetch(m + j, 1);
      __builtin_prefetch(a + j, 1);
      __builtin_prefetch(b + j, 1);
    }
    for (int q = 0; q < na; ++q) {
      const int64_t j = act[q];
      while (k < n_pop && j >= bd[k + 1]) ++k;
      if (k < n_pop && j >= bd[k]) pc[k] += 1;
      c[j] += 1;
      if (l[j] >= 0) {
        const V isi = static_cast<V>(now - l[j]);
        m[j] += 1;
        a[j] = a[j] + isi;
        b[j] = b[j] + isi * isi;
      }
      l[j] = now;
    }
  }
  return ffi::Error::Success();
}

#define STP_DEFINE_STATS(SUFFIX, DT)                                                           \
  XLA_FFI_DEFINE_HANDLER_SYMBOL(StpSpikeStats##SUFFIX, SpikeStats<DT>,                         \
                                ffi::Ffi::Bind().Arg<ffi::Buffer<ffi::PRED>>()                 \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<DT>>()                                    \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Arg<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<ffi::S32>>()                              \
                                    .Ret<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<DT>>()                                    \
                                    .Ret<ffi::Buffer<ffi::S32>>());

STP_DEFINE_STATS(F32, ffi::F32)
STP_DEFINE_STATS(F64, ffi::F64)
