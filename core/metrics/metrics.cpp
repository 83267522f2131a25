#include "core/metrics/metrics.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace steward::metrics {

namespace {

bool valid_name(const std::string& name, bool is_label) {
  if (name.empty()) return false;
  auto first_ok = [&](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (!is_label && c == ':'); };
  if (!first_ok(name[0])) return false;
  for (char c : name)
    if (!first_ok(c) && !std::isdigit(static_cast<unsigned char>(c))) return false;
  // Names starting with "__" are reserved for Prometheus itself.
  return !(is_label && name.rfind("__", 0) == 0);
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string escape(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Exact integers (counts, most gauges) print as integers; the rest round-trip.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
    std::snprintf(buf, sizeof buf, "%.0f", value);
  else {
    // The shortest of 15..17 digits that reads back as the same double ("0.005", not
    // "0.0050000000000000001").
    for (int digits = 15; digits <= 17; ++digits) {
      std::snprintf(buf, sizeof buf, "%.*g", digits, value);
      if (std::strtod(buf, nullptr) == value) break;
    }
  }
  return buf;
}

Family::Family(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!valid_name(name_, false)) throw std::invalid_argument("invalid metric name '" + name_ + "'");
  for (const auto& l : label_names_)
    if (!valid_name(l, true) || l == "le") throw std::invalid_argument("invalid label name '" + l + "' on " + name_);
}

void Family::render(std::string& out) const {
  out += "# HELP " + name_ + " " + escape(help_, false) + "\n";
  out += "# TYPE " + name_ + " " + type() + "\n";
  render_samples(out);
}

void Family::check(const LabelValues& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument(name_ + " takes " + std::to_string(label_names_.size()) + " label value(s), got " +
                                std::to_string(values.size()));
}

void Family::sample(std::string& out, const std::string& suffix, const LabelValues& values, double value,
                    const std::string& extra) const {
  out += name_ + suffix;
  if (!values.empty() || !extra.empty()) {
    out += '{';
    for (std::size_t i = 0; i < values.size(); ++i)
      out += (i ? "," : "") + label_names_[i] + "=\"" + escape(values[i], true) + "\"";
    if (!extra.empty()) out += (values.empty() ? "" : ",") + extra;
    out += '}';
  }
  out += ' ' + format_value(value) + '\n';
}

void Counter::inc(const LabelValues& values, double by) {
  check(values);
  if (by < 0 || std::isnan(by)) throw std::invalid_argument(name_ + ": a counter only goes up");
  std::lock_guard lock(mutex_);
  values_[values] += by;
}

double Counter::value(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Counter::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  // An unlabelled counter shows 0 before its first event, so rate() sees the start.
  if (values_.empty() && label_names_.empty()) sample(out, "", {}, 0);
  for (const auto& [labels, v] : values_) sample(out, "", labels, v);
}

void Gauge::set(const LabelValues& values, double value) {
  check(values);
  std::lock_guard lock(mutex_);
  values_[values] = value;
}

double Gauge::value(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(values);
  return it == values_.end() ? 0 : it->second;
}

void Gauge::collect_with(std::function<std::vector<Sample>()> callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void Gauge::render_samples(std::string& out) const {
  std::function<std::vector<Sample>()> callback;
  std::map<LabelValues, double> values;
  {
    std::lock_guard lock(mutex_);
    callback = callback_;
    values = values_;
  }
  // The callback runs without this gauge's lock: it takes its owner's locks.
  if (callback) {
    values.clear();
    for (auto& s : callback()) {
      check(s.labels);
      values[s.labels] = s.value;
    }
  }
  for (const auto& [labels, v] : values) sample(out, "", labels, v);
}

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> buckets)
    : Family(std::move(name), std::move(help), std::move(label_names)), buckets_(std::move(buckets)) {
  if (buckets_.empty()) throw std::invalid_argument(name_ + ": a histogram needs buckets");
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    if (!std::isfinite(buckets_[i]) || (i && buckets_[i] <= buckets_[i - 1]))
      throw std::invalid_argument(name_ + ": buckets must be finite and strictly increasing");
}

void Histogram::observe(const LabelValues& values, double value) {
  check(values);
  std::lock_guard lock(mutex_);
  Series& s = series_[values];
  if (s.counts.empty()) s.counts.assign(buckets_.size() + 1, 0);
  std::size_t i = std::lower_bound(buckets_.begin(), buckets_.end(), value) - buckets_.begin();  // first bound >= value
  ++s.counts[i];
  s.sum += value;
  ++s.count;
}

std::uint64_t Histogram::count(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

double Histogram::sum(const LabelValues& values) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.sum;
}

void Histogram::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  auto render_one = [&](const LabelValues& labels, const Series* s) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= buckets_.size(); ++i) {
      if (s) cumulative += s->counts[i];
      std::string le = i < buckets_.size() ? format_value(buckets_[i]) : "+Inf";
      sample(out, "_bucket", labels, static_cast<double>(cumulative), "le=\"" + le + "\"");
    }
    sample(out, "_sum", labels, s ? s->sum : 0);
    sample(out, "_count", labels, s ? static_cast<double>(s->count) : 0);
  };
  if (series_.empty() && label_names_.empty()) render_one({}, nullptr);
  for (const auto& [labels, s] : series_) render_one(labels, &s);
}

template <typename T>
T& Registry::add(std::unique_ptr<T> family) {
  std::lock_guard lock(mutex_);
  for (const auto& f : families_)
    if (f->name() == family->name()) throw std::invalid_argument("metric '" + family->name() + "' is registered twice");
  T& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Counter& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return add(std::make_unique<Counter>(name, help, std::move(label_names)));
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return add(std::make_unique<Gauge>(name, help, std::move(label_names)));
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                               std::vector<double> buckets) {
  return add(std::make_unique<Histogram>(name, help, std::move(label_names), std::move(buckets)));
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace steward::metrics
