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
  };
  return all;
}

}  // namespace steward::store
