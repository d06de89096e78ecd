// SPDX-License-Identifier: Apache-2.0
// Replication from both sides: the primary's walsenders (pg_stat_replication), a standby's
// receiver (pg_stat_wal_receiver + replay position), and replication slots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgvigil::model {

struct ReplicationConnection {  // one walsender
  int pid = 0;
  std::string usename;
  std::string application_name;
  std::string client_addr;
  std::string state;       // "streaming", "catchup", …
  std::string sync_state;  // "async", "sync", "quorum", "potential"
  std::optional<std::int64_t> sent_lag_bytes;    // current WAL position − sent_lsn
  std::optional<std::int64_t> write_lag_bytes;   // … − write_lsn
  std::optional<std::int64_t> flush_lag_bytes;   // … − flush_lsn
  std::optional<std::int64_t> replay_lag_bytes;  // … − replay_lsn
  std::optional<double> write_lag_seconds;
  std::optional<double> flush_lag_seconds;
  std::optional<double> replay_lag_seconds;
};

struct WalReceiver {  // present on a standby that streams
  std::string status;  // "streaming", "waiting", …
  std::string sender_host;
  std::optional<int> sender_port;
  std::string slot_name;
  std::optional<std::int64_t> receive_lsn_bytes;  // pg_last_wal_receive_lsn() as bytes
  std::optional<std::int64_t> replay_lsn_bytes;   // pg_last_wal_replay_lsn()
  std::optional<std::int64_t> replay_lag_bytes;   // receive − replay
  // now() − pg_last_xact_replay_timestamp(): grows on an idle primary too, so read it with
  // replay_lag_bytes.
  std::optional<double> replay_delay_seconds;
  std::optional<double> last_msg_receipt_age_seconds;
};

struct ReplicationSlot {
  std::string slot_name;
  std::string plugin;
  std::string slot_type;  // "physical" | "logical"
  std::string datname;
  bool temporary = false;
  bool active = false;
  std::optional<int> active_pid;
  std::optional<std::int64_t> xmin_age;
  std::optional<std::int64_t> catalog_xmin_age;
  std::optional<std::int64_t> retained_wal_bytes;  // current WAL position − restart_lsn
  std::string wal_status;                          // "reserved", "extended", "unreserved", "lost"
  std::optional<std::int64_t> safe_wal_size_bytes;  // NULL unless max_slot_wal_keep_size is set
  std::optional<bool> conflicting;                  // 16+
  std::optional<double> inactive_seconds;           // 17+: now() − inactive_since
  std::string invalidation_reason;                  // 17+
};

}  // namespace pgvigil::model
