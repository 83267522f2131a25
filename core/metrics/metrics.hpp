// A small thread-safe metrics registry rendering the Prometheus text exposition format
// 0.0.4: labelled counters, gauges (set, or read from a callback at scrape time) and
// histograms with fixed buckets. No third-party library: this is all the daemon needs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace steward::metrics {

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// One metric name with its HELP text, label names and type; the samples are per label set.
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names);
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  // Appends "# HELP", "# TYPE" and every sample line.
  void render(std::string& out) const;

 protected:
  virtual const char* type() const = 0;
  virtual void render_samples(std::string& out) const = 0;
  // Throws std::invalid_argument when the count of values differs from the label names.
  void check(const LabelValues& values) const;
  // `name{a="x",b="y"} value\n`, with `extra` (e.g. le="0.5") appended to the labels.
  void sample(std::string& out, const std::string& suffix, const LabelValues& values, double value,
              const std::string& extra = "") const;

  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
};

class Counter : public Family {
 public:
  using Family::Family;
  void inc(const LabelValues& values = {}, double by = 1);
  double value(const LabelValues& values = {}) const;  // 0 for a label set never counted

 private:
  const char* type() const override { return "counter"; }
  void render_samples(std::string& out) const override;
  std::map<LabelValues, double> values_;
};

class Gauge : public Family {
 public:
  using Family::Family;
  struct Sample {
    LabelValues labels;
    double value;
  };
  void set(const LabelValues& values, double value);
  void set(double value) { set({}, value); }
  double value(const LabelValues& values = {}) const;
  // Read at every scrape instead of the set values (queue depth, connected devices: the
  // owner already knows them, so nothing has to keep a copy up to date).
  void collect_with(std::function<std::vector<Sample>()> callback);

 private:
  const char* type() const override { return "gauge"; }
  void render_samples(std::string& out) const override;
  std::map<LabelValues, double> values_;
  std::function<std::vector<Sample>()> callback_;
};

class Histogram : public Family {
 public:
  // `buckets`: upper bounds, strictly increasing; +Inf is implied.
  Histogram(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets);
  void observe(const LabelValues& values, double value);
  void observe(double value) { observe({}, value); }
  std::uint64_t count(const LabelValues& values = {}) const;
  double sum(const LabelValues& values = {}) const;

 private:
  struct Series {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  const char* type() const override { return "histogram"; }
  void render_samples(std::string& out) const override;
  std::vector<double> buckets_;
  std::map<LabelValues, Series> series_;
};

// Owns the families; renders them in registration order. Registering a name twice, an
// invalid name or label name throws std::invalid_argument (a programming error, found at
// start-up). The returned references live as long as the registry.
class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Gauge& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                       std::vector<double> buckets);
  std::string render() const;

 private:
  template <typename T>
  T& add(std::unique_ptr<T> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

// Prometheus number syntax: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string format_value(double value);

// The content type of the text format.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace steward::metrics
