#include "retention.hpp"

#include <cstdint>
#include <functional>

namespace backup {

namespace {

std::int64_t day_of(std::time_t t) { return static_cast<std::int64_t>(t) / 86400 - (t < 0 && t % 86400 ? 1 : 0); }

// ISO weeks start on Monday; 1970-01-01 was a Thursday, so shift by 3 days.
std::int64_t week_of(std::time_t t) {
  std::int64_t d = day_of(t) + 3;
  return d >= 0 ? d / 7 : (d - 6) / 7;
}

void keep_per_bucket(const std::vector<std::time_t>& times, int count,
                     const std::function<std::int64_t(std::time_t)>& bucket, std::vector<bool>& keep) {
  std::int64_t last = 0;
  int used = 0;
  for (std::size_t i = 0; i < times.size() && used < count; ++i) {
    std::int64_t b = bucket(times[i]);
    if (used > 0 && b == last) continue;  // an older archive of a bucket already kept
    keep[i] = true;
    last = b;
    ++used;
  }
}

}  // namespace

std::vector<bool> retained(const std::vector<std::time_t>& times, const RetentionPolicy& policy) {
  std::vector<bool> keep(times.size(), false);
  for (std::size_t i = 0; i < times.size() && static_cast<int>(i) < policy.keep_last; ++i) keep[i] = true;
  keep_per_bucket(times, policy.keep_daily, day_of, keep);
  keep_per_bucket(times, policy.keep_weekly, week_of, keep);
  return keep;
}

}  // namespace backup
