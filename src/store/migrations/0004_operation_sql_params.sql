-- 0004_operation_sql_params: the bind parameters of an operation's SQL. `sql` holds each
-- statement as it is sent, with $1, $2 … where a value is bound (recovery binds pid and
-- backend_start); sql_params is JSON text, one list of parameters (text form) per line of `sql`
-- (store/operation_json.h, SqlParamsToJson), or [] when no statement takes any.
ALTER TABLE maintenance_operations ADD COLUMN sql_params TEXT NOT NULL DEFAULT '[]';
