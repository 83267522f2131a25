#include "core/store/migrations.hpp"

namespace steward::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       "automations, runs, api keys",
       {
           R"(CREATE TABLE automations (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                icon TEXT,
                description TEXT,
                params_json TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT 'local',
                enabled INTEGER NOT NULL DEFAULT 1,
                timeout_s INTEGER NOT NULL,
                tags_json TEXT NOT NULL DEFAULT '[]',
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                last_run_ms INTEGER,
                last_status TEXT))",
           R"(CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                automation_id TEXT,
                trigger TEXT NOT NULL,
                status TEXT NOT NULL,
                reason TEXT,
                created_ms INTEGER NOT NULL,
                started_ms INTEGER,
                finished_ms INTEGER,
                exit_code INTEGER,
                output TEXT NOT NULL DEFAULT '',
                output_truncated INTEGER NOT NULL DEFAULT 0,
                steps_json TEXT NOT NULL DEFAULT '[]',
                requested_by TEXT))",
           "CREATE INDEX runs_by_automation ON runs(automation_id, created_ms)",
           "CREATE INDEX runs_by_status ON runs(status)",
           R"(CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                automation_id TEXT,
                secret_hash TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                expires_ms INTEGER,
                revoked_ms INTEGER))",
       }},
      {2,
       "approval gate, action proposals, audit log",
       {
           "ALTER TABLE automations ADD COLUMN approval_json TEXT",
           R"(CREATE TABLE approval_requests (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                requested_by TEXT NOT NULL,
                automation_id TEXT,
                run_id TEXT,
                subject_json TEXT NOT NULL,
                approvers_json TEXT NOT NULL DEFAULT '[]',
                min_approvals INTEGER NOT NULL DEFAULT 1,
                created_ms INTEGER NOT NULL,
                expires_ms INTEGER,
                decided_ms INTEGER,
                reason TEXT))",
           "CREATE INDEX approval_requests_by_status ON approval_requests(status, created_ms)",
           R"(CREATE TABLE approval_decisions (
                request_id TEXT NOT NULL,
                actor TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                created_ms INTEGER NOT NULL,
                PRIMARY KEY (request_id, actor)))",
           R"(CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT '',
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''))",
           "CREATE INDEX audit_by_time ON audit_log(at_ms)",
       }},
      {3,
       "cron schedules: automation schedule fields and claimed fires",
       {
           "ALTER TABLE automations ADD COLUMN schedule TEXT",
           "ALTER TABLE automations ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC'",
           "ALTER TABLE automations ADD COLUMN catch_up TEXT NOT NULL DEFAULT 'skip'",
           "ALTER TABLE automations ADD COLUMN concurrency TEXT NOT NULL DEFAULT 'skip'",
           // One row per fire of a schedule, claimed before the run starts: the primary key
           // is what makes a fire run at most once, across restarts and across daemons.
           R"(CREATE TABLE schedule_fires (
                automation_id TEXT NOT NULL,
                fire_ms INTEGER NOT NULL,
                claimed_ms INTEGER NOT NULL,
                PRIMARY KEY (automation_id, fire_ms)))",
           "ALTER TABLE runs ADD COLUMN scheduled_ms INTEGER",
       }},
      {4,
       "maintenance windows",
       {
           // start_ms/end_ms: the first occurrence (UTC); recurring: a cron for each start,
           // read in `timezone`. forced: 'on' | 'off' | NULL (activate/deactivate), an 'off'
           // lasting until forced_until_ms when set (docs/maintenance.md).
           R"(CREATE TABLE maintenance_windows (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                timezone TEXT NOT NULL DEFAULT 'UTC',
                recurring TEXT,
                scope_json TEXT NOT NULL,
                autonomy_override TEXT NOT NULL,
                forced TEXT,
                forced_until_ms INTEGER,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL))",
       }},
      {5,
       "webhooks",
       {
           // token_hash: SHA-256 of the token (the token is shown once, never stored);
           // secret: the HMAC key, kept because signatures are checked with it.
           R"(CREATE TABLE webhooks (
                automation_id TEXT PRIMARY KEY REFERENCES automations(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                token_hint TEXT NOT NULL,
                settings_json TEXT NOT NULL,
                secret TEXT,
                created_ms INTEGER NOT NULL,
                rotated_ms INTEGER NOT NULL))",
       }},
      {6,
       "devices: records, pairing codes, executions and their queue, groups, routing, transfers",
       {
           // token_hash: SHA-256 of the device token; NULL once revoked (the device must re-pair).
           R"(CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                hostname TEXT NOT NULL DEFAULT '',
                platform TEXT NOT NULL DEFAULT '',
                architecture TEXT NOT NULL DEFAULT '',
                os_version TEXT NOT NULL DEFAULT '',
                agent_version TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL,
                token_hash TEXT UNIQUE,
                capabilities_json TEXT NOT NULL DEFAULT '[]',
                tools_json TEXT NOT NULL DEFAULT '[]',
                metadata_json TEXT NOT NULL DEFAULT '{}',
                health_json TEXT,
                health_ms INTEGER,
                paired_ms INTEGER NOT NULL,
                last_seen_ms INTEGER,
                updated_ms INTEGER NOT NULL))",
           // Only the code's SHA-256 is kept; a used code keeps its row until it expires.
           R"(CREATE TABLE pairing_codes (
                code_hash TEXT PRIMARY KEY,
                created_ms INTEGER NOT NULL,
                expires_ms INTEGER NOT NULL,
                created_by TEXT,
                used_ms INTEGER,
                device_id TEXT))",
           // source: api | group:<id> | run:<id> | transfer:<id>. expires_ms: a queued
           // command's expiry (NULL when it was sent at once).
           R"(CREATE TABLE device_executions (
                id TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                tool TEXT NOT NULL,
                args_json TEXT NOT NULL,
                timeout_s INTEGER NOT NULL,
                status TEXT NOT NULL,
                output TEXT NOT NULL DEFAULT '',
                output_truncated INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                result_json TEXT,
                exit_code INTEGER,
                source TEXT NOT NULL,
                requested_by TEXT,
                created_ms INTEGER NOT NULL,
                expires_ms INTEGER,
                started_ms INTEGER,
                finished_ms INTEGER))",
           "CREATE INDEX device_executions_by_device ON device_executions(device_id, created_ms)",
           "CREATE INDEX device_executions_by_status ON device_executions(device_id, status, created_ms)",
           R"(CREATE TABLE device_groups (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                description TEXT NOT NULL DEFAULT '',
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL))",
           R"(CREATE TABLE device_group_members (
                group_id TEXT NOT NULL REFERENCES device_groups(id) ON DELETE CASCADE,
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                added_ms INTEGER NOT NULL,
                PRIMARY KEY (group_id, device_id)))",
           // Which device runs a tool when a run does not name one (target "auto").
           R"(CREATE TABLE routing_preferences (
                tool TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                fallback TEXT NOT NULL DEFAULT 'local',
                updated_ms INTEGER NOT NULL,
                updated_by TEXT))",
           R"(CREATE TABLE device_transfers (
                id TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                direction TEXT NOT NULL,
                local_path TEXT NOT NULL,
                remote_path TEXT NOT NULL,
                status TEXT NOT NULL,
                bytes_total INTEGER,
                bytes_done INTEGER NOT NULL DEFAULT 0,
                sha256 TEXT,
                error TEXT,
                requested_by TEXT,
                created_ms INTEGER NOT NULL,
                started_ms INTEGER,
                finished_ms INTEGER))",
       }},
      {7,
       "several daemons on one database: leases, run ownership, device connections, live output",
       {
           // One row per running daemon; lease_until_ms is renewed by its heartbeat. A row
           // whose lease passed is a dead daemon: one survivor deletes it and settles what
           // it held (docs/operations.md, "Running a cluster").
           R"(CREATE TABLE daemons (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                http_address TEXT NOT NULL DEFAULT '',
                device_address TEXT NOT NULL DEFAULT '',
                version TEXT NOT NULL DEFAULT '',
                data_dir TEXT NOT NULL DEFAULT '',
                started_ms INTEGER NOT NULL,
                heartbeat_ms INTEGER NOT NULL,
                lease_until_ms INTEGER NOT NULL))",
           // daemon_id: who executes the run (NULL while a queued run waits for any daemon).
           // plan_json: the planned steps, so another daemon can take a queued or retried run.
           "ALTER TABLE runs ADD COLUMN daemon_id TEXT",
           "ALTER TABLE runs ADD COLUMN plan_json TEXT",
           "ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1",
           "CREATE INDEX runs_by_daemon ON runs(daemon_id, status)",
           "ALTER TABLE schedule_fires ADD COLUMN daemon_id TEXT",
           // interrupt | retry: what happens to a run whose daemon died.
           "ALTER TABLE automations ADD COLUMN on_daemon_loss TEXT NOT NULL DEFAULT 'interrupt'",
           // The daemon holding the agent's connection; NULL when no daemon does.
           "ALTER TABLE devices ADD COLUMN daemon_id TEXT",
           // The daemon copying a file (its worker thread does the transfer).
           "ALTER TABLE device_transfers ADD COLUMN daemon_id TEXT",
           // Live output of runs in progress, for streams served by another daemon.
           R"(CREATE TABLE run_output_chunks (
                run_id TEXT NOT NULL,
                start_offset INTEGER NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (run_id, start_offset)))",
       }},
      {8,
       "device health history, for the dashboard's sparklines",
       {
           // Every health message of the last day (DeviceStore::kHealthHistoryMs), pruned as
           // new ones arrive; devices.health_json keeps the latest as before.
           R"(CREATE TABLE device_health_samples (
                device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
                at_ms INTEGER NOT NULL,
                health_json TEXT NOT NULL,
                PRIMARY KEY (device_id, at_ms)))",
       }},
  };
  return all;
}

}  // namespace steward::store
