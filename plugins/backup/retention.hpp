// Which archives a keep_last / keep_daily / keep_weekly policy keeps (the union of the three),
// as in borg/restic: keep_daily N keeps the newest archive of each of the N most recent UTC
// days that have an archive; keep_weekly N the same per ISO week (Monday-based, UTC).
#pragma once

#include <ctime>
#include <vector>

namespace backup {

struct RetentionPolicy {
  int keep_last = 0, keep_daily = 0, keep_weekly = 0;
  bool any() const { return keep_last > 0 || keep_daily > 0 || keep_weekly > 0; }
};

// `times` must be sorted newest first (ties: the first one counts as newer). Returns, per
// index, whether that archive is kept.
std::vector<bool> retained(const std::vector<std::time_t>& times, const RetentionPolicy& policy);

}  // namespace backup
