-- The secondary indexes of the demo database (schema.sql has the tables, their primary keys,
-- unique constraints and foreign keys). Built after data.sql has filled the tables.

SET client_min_messages = warning;
-- One core for the builds: the other one keeps serving whoever else uses the machine.
SET max_parallel_maintenance_workers = 0;

-- Accounts
CREATE INDEX suppliers_plan_id_idx ON suppliers (plan_id);
CREATE INDEX subscriptions_plan_id_idx ON subscriptions (plan_id);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_supplier_id_idx ON users (supplier_id);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX api_keys_supplier_id_idx ON api_keys (supplier_id);

-- Couples, forms, journeys
CREATE INDEX clients_supplier_id_wedding_date_idx ON clients (supplier_id, wedding_date);
CREATE INDEX clients_email_idx ON clients (lower(email));
CREATE INDEX clients_tags_idx ON clients USING gin (tags);
-- PROBLEM (invalid index): scripts/demo-workload.sh then runs
--   CREATE UNIQUE INDEX CONCURRENTLY clients_supplier_email_key
--     ON clients (supplier_id, lower(email));
-- which fails on the couples data.sql imported twice and leaves the index INVALID behind:
-- index.invalid. (CONCURRENTLY cannot run in this file's transaction.)
CREATE INDEX forms_supplier_id_idx ON forms (supplier_id);
CREATE INDEX form_responses_form_id_submitted_at_idx ON form_responses (form_id, submitted_at);
CREATE INDEX form_responses_client_id_idx ON form_responses (client_id);
CREATE INDEX journey_templates_supplier_id_idx ON journey_templates (supplier_id);
CREATE INDEX journeys_client_id_idx ON journeys (client_id);
CREATE INDEX journeys_due_idx ON journeys (next_action_at) WHERE status = 'active';
-- PROBLEM (redundant index): the second index has the first one's key as its prefix, so it
-- serves the same lookups: index.redundant (info: the narrower one can be the faster plan, so
-- dropping it is a judgement call).
CREATE INDEX journey_events_journey_id_idx ON journey_events (journey_id);
CREATE INDEX journey_events_journey_id_occurred_at_idx
  ON journey_events (journey_id, occurred_at);

-- E-mail
CREATE INDEX email_logs_supplier_id_created_at_idx ON email_logs (supplier_id, created_at);
CREATE INDEX email_logs_provider_message_id_idx ON email_logs (provider_message_id);
-- PROBLEM (duplicate index): the same index twice, once from the hand-written migration and
-- once under the ORM's naming convention: index.duplicate. Every insert pays for both.
CREATE INDEX email_logs_client_id_idx ON email_logs (client_id);
CREATE INDEX idx_email_logs_client ON email_logs (client_id);

-- Money
CREATE INDEX invoices_supplier_id_status_idx ON invoices (supplier_id, status);
CREATE INDEX invoices_client_id_idx ON invoices (client_id);
CREATE INDEX payments_invoice_id_idx ON payments (invoice_id);

-- Logs. api_usage_logs has only the index of the supplier's own usage page: the support
-- report of scripts/demo/report.pgbench cannot use it (the planted seq scans, schema.sql).
CREATE INDEX api_usage_logs_supplier_id_created_at_idx
  ON api_usage_logs (supplier_id, created_at);
CREATE INDEX activity_logs_supplier_id_created_at_idx ON activity_logs (supplier_id, created_at);
CREATE INDEX activity_logs_entity_idx ON activity_logs (entity_type, entity_id);
-- PROBLEM (unused index): made for a one-off abuse investigation and never scanned since;
-- every insert still maintains it: index.unused.
CREATE INDEX activity_logs_ip_address_idx ON activity_logs (ip_address);
