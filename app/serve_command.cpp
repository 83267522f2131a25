// `steward serve`: start-up and shutdown order of the daemon, in one place.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "api/dispatcher.hpp"
#include "api/http_server.hpp"
#include "api/routes/api_context.hpp"
#include "app/commands.hpp"
#include "api/device_ws_server.hpp"
#include "core/cluster/bus.hpp"
#include "core/cluster/daemon_registry.hpp"
#include "core/cluster/device_link.hpp"
#include "core/cluster/output_feed.hpp"
#include "core/cluster/output_relay.hpp"
#include "core/devices/device_hub.hpp"
#include "core/devices/device_step_runner.hpp"
#include "core/devices/transfer.hpp"
#include "core/store/database.hpp"
#include "core/util/log.hpp"

namespace steward::app {

namespace {

// One daemon per data directory: a second one would race the first on every run.
int lock_data_dir(const std::string& data_dir) {
  std::filesystem::create_directories(data_dir);
  std::string path = data_dir + "/steward.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error("another steward daemon is already serving the data directory " + data_dir);
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0 && ::write(fd, pid.data(), pid.size()) < 0) {
  }
  return fd;  // held (and the lock with it) until the process exits
}

// Every connected agent holds a socket: raise the soft open-file limit to the hard one
// (1024 by default is too few for a thousand devices).
void raise_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

LogLevel parse_level(const std::string& s) {
  if (s == "debug") return LogLevel::Debug;
  if (s == "warning") return LogLevel::Warning;
  if (s == "error") return LogLevel::Error;
  return LogLevel::Info;
}

// The gauges that mirror state owned elsewhere, read at each scrape.
void watch_state(StewardMetrics& m, const RunEngine& engine, const Scheduler& scheduler, const DeviceHub& hub,
                 const PluginRegistry& registry) {
  using Samples = std::vector<metrics::Gauge::Sample>;
  m.runs_queued.collect_with([&engine] { return Samples{{{}, static_cast<double>(engine.load().queued)}}; });
  m.runs_running.collect_with([&engine] { return Samples{{{}, static_cast<double>(engine.load().running)}}; });
  m.scheduled_automations.collect_with(
      [&scheduler] { return Samples{{{}, static_cast<double>(scheduler.scheduled_count())}}; });
  m.devices_connected.collect_with([&hub] { return Samples{{{}, static_cast<double>(hub.connected_ids().size())}}; });
  // Loaded at start-up and not changed after: counted once.
  double loaded = 0, refused = 0;
  for (const auto& p : registry.plugins()) (p.status == "loaded" ? loaded : refused) += 1;
  m.plugins.set({"loaded"}, loaded);
  m.plugins.set({"refused"}, refused);
}

}  // namespace

int run_serve(const CommandLine& cmd) {
  Settings s = settings_for(cmd);
  set_log_level(parse_level(s.log_level));
  set_log_format(s.log_format == "json" ? LogFormat::Json : LogFormat::Text);

  // Block the stop signals in every thread (threads inherit the mask) and take them with
  // sigwait below; tool processes get a clean mask from their spawn attributes.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  raise_file_limit();

  // The store first: a wrong URL or a server that is down stops here, before anything
  // (not even the data directory) is created. Exit 2, as for other setting errors.
  std::unique_ptr<store::Database> store;
  try {
    store = std::make_unique<store::Database>(s.data_dir, s.database);
  } catch (const store::OpenError& e) {
    std::cerr << "steward: " << e.what() << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "steward: " << e.what() << std::endl;
    return 1;
  }
  try {
    store::Database& db = *store;
    lock_data_dir(s.data_dir);
    KeyStore keys(db);
    AutomationStore automations(db);
    RunStore runs(db);

    // Several daemons may share a PostgreSQL database: each has a row with a lease, and the
    // bus carries messages between them (docs/operations.md, "Running a cluster").
    auto bus = cluster::open_bus(db, s.database);
    cluster::DaemonRegistry daemons(
        db, cluster::LeaseOptions{std::chrono::seconds(s.cluster_lease_s),
                                  std::chrono::milliseconds(std::int64_t{s.cluster_lease_s} * 1000 / 5)});
    daemons.join(STEWARD_VERSION, s.data_dir);
    runs.set_owner(daemons.self());
    if (!db.is_postgres()) {
      // SQLite: this process holds the data directory's lock, so whatever a previous
      // process left unfinished is over.
      daemons.forget_others();
      if (int n = runs.interrupt_unfinished("the daemon stopped while the run was in progress (found at start)"))
        log(LogLevel::Warning, "runs", std::to_string(n) + " run(s) left unfinished by a previous daemon marked interrupted");
    }
    daemons.on_reap([&](const std::string& dead) {
      if (int n = runs.settle_daemon_loss(dead, daemons.self()))
        log(LogLevel::Warning, "runs", std::to_string(n) + " run(s) of daemon " + dead + " settled");
    });

    StewardMetrics metrics(STEWARD_VERSION);
    PluginRegistry registry;
    load_plugins(registry, s);

    RunEngine engine(runs, registry, EngineOptions{s.workers, static_cast<std::size_t>(s.output_cap_bytes),
                                                   static_cast<std::size_t>(s.stream_window_bytes)});
    engine.set_metrics(&metrics);
    if (db.is_postgres()) {
      // Runs that cannot start here at once wait in the database for any daemon's free
      // worker; a cancel for a run executing elsewhere goes to its daemon.
      bus->subscribe("steward_run_queued", [&engine](const std::string&) { engine.poke(); });
      bus->subscribe("steward_run_cancel", [&engine, &daemons](const std::string& payload) {
        auto j = nlohmann::json::parse(payload, nullptr, false);
        if (j.is_object() && j.value("daemon", "") == daemons.self())
          engine.cancel_here(j.value("run", ""), j.value("by", ""));
      });
      bus->subscribe("steward_run_ended", [&engine](const std::string&) { engine.ended_elsewhere(); });
      engine.enable_shared_queue([&bus] { bus->publish("steward_run_queued", ""); },
                                 [&bus](const std::string& run_id) { bus->publish("steward_run_ended", run_id); },
                                 [&bus, &runs](const std::string& run_id, const std::string& by) {
                                   bus->publish("steward_run_cancel",
                                                nlohmann::json{{"run", run_id}, {"by", by}, {"daemon", runs.daemon_of(run_id)}}.dump());
                                 });
    }
    // A cluster: this daemon's runs' output goes to the database for streams served by the
    // others, and theirs comes back (core/cluster/output_relay.hpp). SQLite: one daemon,
    // every stream from memory.
    std::unique_ptr<cluster::OutputFeed> output_feed;
    std::unique_ptr<cluster::OutputRelay> output_relay;
    if (db.is_postgres()) {
      output_feed = std::make_unique<cluster::OutputFeed>(db, *bus, static_cast<std::size_t>(s.output_cap_bytes));
      cluster::RelayOptions relay_options;
      relay_options.cap_bytes = static_cast<std::size_t>(s.output_cap_bytes);
      relay_options.window_bytes = static_cast<std::size_t>(s.stream_window_bytes);
      output_relay = std::make_unique<cluster::OutputRelay>(db, *bus, [&engine] {
        std::vector<cluster::OutputRelay::LiveRun> live;
        for (auto& id : engine.active_ids())
          if (auto stream = engine.stream(id)) live.push_back({id, std::move(stream)});
        return live;
      }, relay_options);
    }
    AuditLog audit(db);
    ApprovalService approvals(db, runs, engine, audit);
    approvals.set_metrics(&metrics);
    approvals.expire_due();  // requests that expired while the daemon was down
    approvals.start_expiry(std::chrono::seconds(1));
    MaintenanceStore maintenance_windows(db);
    MaintenancePolicy maintenance(maintenance_windows);
    RunLauncher launcher(engine, approvals, registry, maintenance, runs, audit);
    launcher.set_metrics(&metrics);
    WebhookStore webhooks(db);
    WebhookGuard webhook_guard;

    api::Router router;
    api::ApiContext ctx{automations, runs,     engine, registry, keys, approvals, launcher, audit, maintenance,
                        webhooks, webhook_guard,
                        s.default_timeout_s, std::chrono::seconds(s.max_wait_s), STEWARD_VERSION};
    Scheduler scheduler(db, automations, runs, engine, launcher);
    scheduler.set_metrics(&metrics);
    scheduler.set_bus(bus.get());
    scheduler.set_daemon(daemons.self());
    scheduler.start();
    ctx.scheduler = &scheduler;
    ctx.template_dir = template_directory(s);
    ctx.dashboard_dir = dashboard_directory(s);
    // Devices: the hub holds the agents' connections; the step runner lets runs use them.
    DeviceStore device_store(db);
    ExecutionStore executions(db);
    // Executions a live daemon holds go on (several daemons on PostgreSQL); those of a dead
    // one still listed are its reaper's (settle_device_loss); the rest are over.
    if (int n = executions.interrupt_orphaned("the daemon stopped during the execution (found at start)"))
      log(LogLevel::Warning, "devices", std::to_string(n) + " device execution(s) left running marked failed");
    daemons.on_reap([&db, &cluster_bus = *bus](const std::string& dead) {
      cluster::settle_device_loss(db, cluster_bus, dead);
    });
    PairingLimits pairing_limits;
    pairing_limits.per_address_per_minute = s.pairing_claims_per_minute;
    pairing_limits.global_per_minute = s.pairing_claims_global_per_minute;
    Pairing pairing(db, device_store, pairing_limits);
    GroupStore device_groups(db);
    HubOptions hub_options;
    hub_options.ping_interval_s = s.device_ping_interval_s;
    hub_options.health_interval_s = s.device_health_interval_s;
    hub_options.output_cap_bytes = static_cast<std::size_t>(s.output_cap_bytes);
    DeviceHub hub(device_store, executions, hub_options);
    // Agents connected to other daemons on the same database: presence and routed commands.
    cluster::DeviceLink device_link(db, *bus, daemons.self(), hub, executions);
    Routing routing(db, device_store, registry, hub);
    DeviceStepRunner step_runner(hub, device_store, device_groups, routing, registry);
    engine.set_remote_steps(&step_runner);
    maintenance.set_places([&](const Target& target) { return device_groups.places(target); });
    api::DeviceWsServer device_server(hub, api::DeviceServerOptions{s.bind, s.device_port, s.device_max_connections});
    TransferStore transfer_store(db);
    transfer_store.set_owner(daemons.self());
    if (!db.is_postgres()) transfer_store.interrupt_unfinished("the daemon stopped during the transfer");
    daemons.on_reap([&transfer_store](const std::string& dead) {
      transfer_store.interrupt_unfinished("daemon " + dead + " stopped during the transfer", dead);
    });
    TransferService transfers(hub, device_store, transfer_store, registry);
    api::DeviceApi device_api{device_store, pairing, device_groups, routing, hub, s.device_auto_approve,
                              device_server.port(), &hub, &executions, &transfers, &transfer_store};
    ctx.devices = &device_api;
    ctx.metrics = &metrics;
    ctx.metrics_public = s.metrics_public;
    ctx.daemons = &daemons;
    ctx.bus = bus.get();
    ctx.run_output = output_feed.get();
    // A daemon whose lease ran out stops as if told to (SIGTERM): another daemon may already
    // have settled its runs, and they must not be finished twice.
    daemons.on_fenced([] { ::kill(::getpid(), SIGTERM); });
    if (db.is_postgres()) daemons.reap_previous();  // this data directory's earlier process
    daemons.start();
    bus->start();
    if (output_relay) output_relay->start();
    watch_state(metrics, engine, scheduler, hub, registry);
    api::add_all_routes(router, ctx);
    api::Dispatcher dispatcher(router, keys, &audit, &metrics);
    api::HttpServer http(dispatcher, api::HttpServerOptions{s.bind, s.port, s.http_threads,
                                                            static_cast<std::size_t>(s.max_body_bytes), 10});
    http.start();
    hub.start();
    device_server.start();

    daemons.advertise(s.bind + ":" + std::to_string(http.port()), s.bind + ":" + std::to_string(device_server.port()));
    std::cout << "Steward " << STEWARD_VERSION << " listening on http://" << s.bind << ":" << http.port()
              << " (devices on ws://" << s.bind << ":" << device_server.port() << "/device/ws; data: "
              << db.location() << ")" << std::endl;
    // Daemons starting together on a new database: one of them makes the first key.
    auto first_key = db.transaction([&]() -> std::optional<std::string> {
      db.serialize(store::kFirstKeyLock);
      if (keys.any()) return std::nullopt;
      return keys.create("admin", Role::Admin).secret;
    });
    if (first_key)
      std::cout << "First start: created the admin API key (shown only now; store it safely):\n"
                << "  " << *first_key << std::endl;

    int sig = 0;
    sigwait(&stop_signals, &sig);
    log(LogLevel::Info, "serve", std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                                     "; stopping (grace " + std::to_string(s.shutdown_grace_s) + " s)");
    http.stop_accepting();
    scheduler.stop();  // no new fires; runs already started are the engine's to finish
    engine.shutdown(std::chrono::seconds(s.shutdown_grace_s), std::chrono::seconds(5));
    if (output_relay) output_relay->stop();  // after the runs: their last output and end rows
    hub.stop();  // after the runs: a run's device step ends when its agent is disconnected
    device_server.stop();
    device_link.stop();  // after the runs and the hub: their routed commands have ended
    // Requests waiting on runs (?wait=1) now have their answers; give them a moment to be sent.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    http.stop_all();
    bus->stop();
    daemons.leave();
    log(LogLevel::Info, "serve", "stopped");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "steward: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace steward::app
