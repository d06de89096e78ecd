-- The demo database's rows: two years of a wedding-planning SaaS with 2,000 suppliers, about
-- 1.3 million rows in all, most of them in the log tables (api_usage_logs 400k, activity_logs,
-- email_logs and journey_events 200k each). About 15 s of one core to load. Loaded into schema.sql's empty tables by
-- scripts/demo-workload.sh in one transaction; ANALYZE runs afterwards from another session.
--
-- Identity columns take their default, so ids run densely from 1 and the other tables pick
-- references by drawing a number in that range. The draws are random() after setseed(), so
-- every load is the same database. Suppliers with small ids are the big accounts: references to
-- suppliers are drawn with random()^2, which favours them.

SET client_min_messages = warning;
-- Foreign keys are declared but not re-checked row by row: the generator draws valid ids.
SET session_replication_role = replica;
-- One core for the load: the other one keeps serving whoever else uses the machine.
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.42);

CREATE TEMPORARY TABLE words AS
SELECT ARRAY['Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia',
             'Lucas', 'Mia', 'Mateo', 'Isla', 'Leo', 'Chloe', 'Hugo', 'Léa', 'Jules', 'Aiko',
             'Haruto', 'Sofía', 'Diego', 'Freya', 'Arjun', 'Priya', 'Kofi', 'Amara', 'Luca',
             'Giulia', 'Finn', 'Hannah', 'Maya', 'Omar', 'Zara', 'Ethan', 'Grace', 'Ines',
             'Tomás', 'Nora', 'Sami'] AS first_names,
       ARRAY['Smith', 'Jones', 'Müller', 'Martin', 'García', 'Rossi', 'Tanaka', 'Silva',
             'Kowalski', 'Nguyen', 'Brown', 'Dubois', 'Schmidt', 'Lopez', 'Wilson', 'Moreau',
             'Bianchi', 'Sato', 'Costa', 'Novak', 'Taylor', 'Fischer', 'Bernard', 'Hernández',
             'Walker', 'Ricci', 'Suzuki', 'Santos', 'Nowak', 'Tran'] AS last_names,
       ARRAY['photographer', 'videographer', 'venue', 'florist', 'caterer', 'planner', 'band',
             'dj', 'baker', 'hair_makeup'] AS categories,
       ARRAY['Studio', 'Atelier', 'House', 'Collective', 'Co.', 'Weddings', 'Events',
             'Moments', 'Gardens', 'Lane'] AS business_words,
       ARRAY['GB|London|Europe/London', 'GB|Bath|Europe/London', 'IE|Dublin|Europe/Dublin',
             'FR|Paris|Europe/Paris', 'FR|Bordeaux|Europe/Paris', 'IT|Florence|Europe/Rome',
             'IT|Lake Como|Europe/Rome', 'ES|Seville|Europe/Madrid', 'PT|Lisbon|Europe/Lisbon',
             'DE|Munich|Europe/Berlin', 'US|Austin|America/Chicago',
             'US|Napa|America/Los_Angeles', 'US|Brooklyn|America/New_York',
             'AU|Sydney|Australia/Sydney', 'JP|Kyoto|Asia/Tokyo'] AS places,
       ARRAY['Hillside Barn', 'The Old Rectory', 'Villa Aurora', 'Château des Lys',
             'Harbour Hall', 'Rosewood Estate', 'The Glasshouse', 'Cliffside Chapel',
             'Orchard Farm', 'City Loft'] AS venues,
       ARRAY['instagram', 'referral', 'wedding fair', 'google', 'pinterest', 'directory']
         AS sources,
       ARRAY['GET /v1/clients', 'GET /v1/clients/{id}', 'POST /v1/clients',
             'PATCH /v1/clients/{id}', 'GET /v1/forms', 'GET /v1/forms/{id}/responses',
             'POST /v1/journeys/{id}/enrol', 'GET /v1/invoices', 'POST /v1/invoices',
             'GET /v1/invoices/{id}', 'POST /v1/webhooks/test', 'GET /v1/calendar',
             'GET /v1/email-logs', 'DELETE /v1/clients/{id}', 'GET /v1/me'] AS endpoints,
       ARRAY['Zapier', 'Make/1.0', 'python-requests/2.31', 'axios/1.6.2', 'HoneyBook-Sync/3.2',
             'WeddingWire-Import/1.4', 'curl/8.4.0', 'Go-http-client/2.0'] AS user_agents,
       ARRAY['client.created', 'client.updated', 'form.published', 'invoice.sent',
             'invoice.paid', 'journey.started', 'email_template.updated', 'user.login',
             'client.note_added', 'calendar.synced'] AS actions,
       ARRAY['step_started', 'email_queued', 'email_sent', 'email_opened', 'task_created',
             'task_completed', 'step_skipped', 'journey_completed'] AS event_types;

INSERT INTO plans (id, code, name, monthly_price_cents, max_clients, api_calls_per_month,
                   features)
VALUES (1, 'starter', 'Starter', 1900, 50, 10000, '{"journeys": false, "api": false}'),
       (2, 'pro', 'Professional', 4900, 500, 100000, '{"journeys": true, "api": true}'),
       (3, 'studio', 'Studio', 9900, NULL, 1000000,
        '{"journeys": true, "api": true, "team_seats": 10}'),
       (4, 'venue', 'Venue', 19900, NULL, 5000000,
        '{"journeys": true, "api": true, "team_seats": 50, "multi_calendar": true}');

-- 2,000 suppliers
INSERT INTO suppliers (slug, business_name, category, country, city, timezone, plan_id,
                       settings, created_at, updated_at)
SELECT lower(replace(name, ' ', '-')) || '-' || g, name, w.categories[1 + g % 10],
       split_part(place, '|', 1), split_part(place, '|', 2), split_part(place, '|', 3),
       CASE WHEN g <= 50 THEN 4 WHEN g <= 400 THEN 3 WHEN g <= 1400 THEN 2 ELSE 1 END,
       jsonb_build_object('brand_color', '#' || substr(md5(g::text), 1, 6),
                          'notify', jsonb_build_object('email', true, 'sms', g % 3 = 0),
                          'locale', lower(split_part(place, '|', 1))),
       created, created + random() * interval '300 days'
  FROM words w,
       generate_series(1, 2000) g,
       LATERAL (SELECT w.last_names[1 + (g * 7) % 30] || ' ' || w.business_words[1 + g % 10]
                         AS name,
                       w.places[1 + (g * 11) % 15] AS place,
                       now() - interval '3 years' + (g / 2000.0) * interval '1000 days'
                         AS created) x;

INSERT INTO subscriptions (supplier_id, plan_id, status, provider_subscription_id,
                           current_period_start, current_period_end, api_calls_this_period,
                           created_at, updated_at)
SELECT s.id, s.plan_id,
       CASE WHEN s.id % 40 = 0 THEN 'past_due' WHEN s.id % 25 = 0 THEN 'canceled'
            ELSE 'active' END,
       'sub_' || substr(md5('sub' || s.id), 1, 14),
       date_trunc('month', now()), date_trunc('month', now()) + interval '1 month',
       (random() * 20000)::int, s.created_at, now() - random() * interval '20 days'
  FROM suppliers s;

-- 5,000 users: each supplier's owner (user id = supplier id), then staff of the bigger ones
INSERT INTO users (supplier_id, email, full_name, role, password_hash, preferences,
                   last_login_at, created_at)
SELECT sup, lower(fn || '.' || ln) || g || '@' || 'studio' || sup || '.example', fn || ' ' || ln,
       CASE WHEN g <= 2000 THEN 'owner' WHEN g % 3 = 0 THEN 'admin' ELSE 'staff' END,
       '$argon2id$v=19$m=65536,t=3,p=4$' || md5('salt' || g) || '$' || md5('pw' || g),
       jsonb_build_object('theme', CASE WHEN g % 4 = 0 THEN 'dark' ELSE 'light' END,
                          'digest', g % 2 = 0),
       now() - random() * interval '60 days', now() - random() * interval '700 days'
  FROM words w,
       generate_series(1, 5000) g,
       LATERAL (SELECT CASE WHEN g <= 2000 THEN g ELSE 1 + (g % 400) END AS sup,
                       w.first_names[1 + g % 40] AS fn, w.last_names[1 + (g * 3) % 30] AS ln) x;

INSERT INTO api_keys (supplier_id, name, key_prefix, key_hash, scopes, last_used_at, created_at,
                      revoked_at)
SELECT 1 + ((g - 1) * 7) % 2000,
       (ARRAY['Zapier', 'Website enquiry form', 'CRM sync', 'Accounting export'])[1 + g % 4],
       'wk_live_' || substr(md5('key' || g), 1, 8), md5('secret' || g),
       CASE WHEN g % 3 = 0 THEN '{clients:read,invoices:read}'::text[]
            ELSE '{clients:read,clients:write,forms:read,journeys:write}'::text[] END,
       now() - random() * interval '2 days', now() - random() * interval '500 days',
       CASE WHEN g % 50 = 0 THEN now() - random() * interval '100 days' END
  FROM generate_series(1, 1500) g;

-- 100,000 web sessions of the last 90 days (problems.sql expires two thirds of them)
INSERT INTO sessions (token_hash, user_id, ip_address, user_agent, data, created_at,
                      last_seen_at, expires_at)
SELECT md5('session' || g), 1 + floor(random() * 5000)::int, '10.0.0.0'::inet + g,
       (ARRAY['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Safari/605.1.15',
              'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0',
              'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) Mobile/15E148'])[1 + g % 3],
       jsonb_build_object('csrf', md5('csrf' || g), 'view', 'dashboard'),
       seen - random() * interval '3 days', seen, seen + interval '30 days'
  FROM (SELECT g, now() - random() * interval '90 days' AS seen
          FROM generate_series(1, 100000) g) x;

-- 50,000 couples
INSERT INTO clients (supplier_id, partner1_name, partner2_name, email, phone, wedding_date,
                     venue_name, guest_count, budget_cents, status, source, tags, custom_fields,
                     notes, created_at, updated_at)
SELECT sup, p1, p2, lower(split_part(p1, ' ', 1) || '.' || split_part(p2, ' ', 1)) || g ||
         '@mail.example',
       '+44 7700 ' || lpad((g % 1000000)::text, 6, '0'),
       (created + (60 + random() * 500) * interval '1 day')::date,
       w.venues[1 + g % 10], 20 + (random() * 230)::int, (500000 + random() * 4500000)::bigint,
       CASE WHEN created < now() - interval '400 days' THEN 'completed'
            WHEN g % 5 = 0 THEN 'lead' WHEN g % 17 = 0 THEN 'lost' ELSE 'booked' END,
       w.sources[1 + g % 6],
       CASE g % 4 WHEN 0 THEN '{vip}'::text[] WHEN 1 THEN '{destination,abroad}'::text[]
                  WHEN 2 THEN '{elopement}'::text[] ELSE '{}'::text[] END,
       jsonb_build_object('dietary', (ARRAY['none', 'vegetarian', 'vegan', 'gluten-free'])[1 + g % 4],
                          'colour_scheme', (ARRAY['sage', 'blush', 'navy', 'terracotta'])[1 + g % 4]),
       CASE WHEN g % 7 = 0 THEN 'Wants golden-hour portraits by the lake.' END,
       created, created + random() * interval '30 days'
  FROM words w,
       generate_series(1, 50000) g,
       LATERAL (SELECT 1 + floor(2000 * random() ^ 2)::int AS sup,
                       w.first_names[1 + g % 40] || ' ' || w.last_names[1 + (g * 7) % 30] AS p1,
                       w.first_names[1 + (g * 13) % 40] || ' ' || w.last_names[1 + (g * 11) % 30]
                         AS p2,
                       now() - random() * interval '730 days' AS created) x;
-- A CSV import that ran twice: 200 couples exist twice for their supplier. The unique index
-- that was meant to prevent this fails to build (scripts/demo-workload.sh: index.invalid).
INSERT INTO clients (supplier_id, partner1_name, partner2_name, email, phone, wedding_date,
                     venue_name, guest_count, budget_cents, status, source, tags, custom_fields,
                     created_at, updated_at)
SELECT supplier_id, partner1_name, partner2_name, upper(substr(email, 1, 1)) || substr(email, 2),
       phone, wedding_date, venue_name, guest_count, budget_cents, status, 'csv import', tags,
       custom_fields, now() - interval '41 days', now() - interval '41 days'
  FROM clients WHERE id % 250 = 0;

-- Four forms per supplier (ids (supplier - 1) * 4 + 1 … + 4), 60,000 responses
INSERT INTO forms (supplier_id, title, kind, fields, created_at, updated_at)
SELECT 1 + (g - 1) / 4,
       (ARRAY['Enquiry form', 'Wedding day questionnaire', 'Booking contract', 'Feedback'])
         [1 + (g - 1) % 4],
       (ARRAY['enquiry', 'questionnaire', 'contract', 'feedback'])[1 + (g - 1) % 4],
       jsonb_build_array(
         jsonb_build_object('name', 'partner_names', 'type', 'text', 'required', true),
         jsonb_build_object('name', 'wedding_date', 'type', 'date', 'required', true),
         jsonb_build_object('name', 'guest_count', 'type', 'number'),
         jsonb_build_object('name', 'message', 'type', 'textarea')),
       now() - random() * interval '700 days', now() - random() * interval '100 days'
  FROM generate_series(1, 8000) g;

INSERT INTO form_responses (form_id, client_id, answers, ip_address, user_agent, submitted_at)
SELECT (c.supplier_id - 1) * 4 + 1 + g % 4, CASE WHEN g % 10 = 0 THEN NULL ELSE c.id END,
       jsonb_build_object('partner_names', c.partner1_name || ' & ' || c.partner2_name,
                          'wedding_date', c.wedding_date, 'guest_count', c.guest_count,
                          'message', 'We love your work and would like to know more!'),
       '192.0.2.0'::inet + g % 250, 'Mozilla/5.0', c.created_at + random() * interval '60 days'
  FROM (SELECT g, 1 + floor(random() * 50000)::int AS client FROM generate_series(1, 60000) g) r
  JOIN clients c ON c.id = r.client;

-- Five e-mail templates per supplier (ids (supplier - 1) * 5 + 1 … + 5)
INSERT INTO email_templates (supplier_id, name, subject, body_html, variables, created_at)
SELECT 1 + (g - 1) / 5, t.name || ' #' || g, t.subject,
       '<p>Hi {{partner1_name}} and {{partner2_name}},</p><p>' || t.subject ||
         '</p><p>Warm wishes,<br>{{business_name}}</p>',
       '["partner1_name", "partner2_name", "wedding_date", "business_name"]',
       now() - random() * interval '700 days'
  FROM generate_series(1, 10000) g,
       LATERAL (SELECT (ARRAY['Welcome', 'Questionnaire reminder', 'Final details',
                              'Thank you', 'Anniversary'])[1 + (g - 1) % 5] AS name,
                       (ARRAY['Thank you for booking with us!',
                              'A few questions about your big day',
                              'Two weeks to go: final details', 'Congratulations, newlyweds!',
                              'Happy first anniversary'])[1 + (g - 1) % 5] AS subject) t;

-- Three journey templates per supplier (ids (supplier - 1) * 3 + 1 … + 3), 40,000 journeys
INSERT INTO journey_templates (supplier_id, name, trigger, steps, created_at)
SELECT 1 + (g - 1) / 3,
       (ARRAY['New enquiry follow-up', 'Booked couple onboarding', 'After the wedding'])
         [1 + (g - 1) % 3],
       (ARRAY['enquiry', 'booked', 'after_wedding'])[1 + (g - 1) % 3],
       jsonb_build_array(jsonb_build_object('wait', 'PT0S', 'send', ((g - 1) / 3) * 5 + 1),
                         jsonb_build_object('wait', 'P7D', 'task', 'Call the couple'),
                         jsonb_build_object('wait', 'P30D', 'send', ((g - 1) / 3) * 5 + 2),
                         jsonb_build_object('wait', 'P60D', 'send', ((g - 1) / 3) * 5 + 3)),
       now() - random() * interval '700 days'
  FROM generate_series(1, 6000) g;

INSERT INTO journeys (template_id, supplier_id, client_id, status, current_step, next_action_at,
                      state, started_at, updated_at)
SELECT (c.supplier_id - 1) * 3 + 1 + g % 3, c.supplier_id, c.id,
       CASE WHEN g % 10 < 6 THEN 'active' WHEN g % 10 < 9 THEN 'completed' ELSE 'paused' END,
       g % 4, now() + random() * interval '30 days',
       jsonb_build_object('emails_sent', g % 4, 'last_error', NULL),
       c.created_at, now() - random() * interval '10 days'
  FROM (SELECT g, 1 + floor(random() * 50000)::int AS client FROM generate_series(1, 40000) g) r
  JOIN clients c ON c.id = r.client;

-- 200,000 journey events
INSERT INTO journey_events (journey_id, step, event_type, payload, occurred_at)
SELECT 1 + floor(random() * 40000)::int, g % 4, w.event_types[1 + g % 8],
       jsonb_build_object('source', 'scheduler', 'attempt', 1 + g % 3),
       now() - random() * interval '365 days'
  FROM words w, generate_series(1, 200000) g;

-- 200,000 e-mails. email_logs.id is a serial (integer): years of e-mails have brought its
-- sequence to 1.96 billion of 2.1 (the planted sequence.exhaustion).
SELECT setval('email_logs_id_seq', 1960000000);
INSERT INTO email_logs (supplier_id, client_id, template_id, journey_id, to_address, subject,
                        status, provider_message_id, error, metadata, created_at, sent_at,
                        opened_at)
SELECT j.supplier_id, j.client_id, (j.supplier_id - 1) * 5 + 1 + g % 5, j.id, c.email,
       'A message from your wedding ' || (ARRAY['photographer', 'venue', 'planner'])[1 + g % 3],
       st, '<' || md5('msg' || g) || '@mail.example>',
       CASE WHEN st = 'bounced' THEN '550 5.1.1 mailbox unavailable' END,
       jsonb_build_object('campaign', 'journey', 'ip_pool', 'shared-' || (g % 4)),
       created, created + interval '3 seconds',
       CASE WHEN st = 'opened' THEN created + random() * interval '2 days' END
  FROM (SELECT g, 1 + floor(random() * 40000)::int AS journey,
               now() - random() * interval '180 days' AS created,
               (ARRAY['delivered', 'delivered', 'opened', 'opened', 'opened', 'sent', 'bounced',
                      'delivered', 'opened', 'failed'])[1 + g % 10] AS st
          FROM generate_series(1, 200000) g) r
  JOIN journeys j ON j.id = r.journey
  JOIN clients c ON c.id = j.client_id;

-- 40,000 invoices. Their numbers are INV-nnnnnn and stop at 999999: the sequence has reached
-- 820,000 by the end of the load (the planted sequence.exhaustion warning).
SELECT setval('invoice_number_seq', 780000);
INSERT INTO invoices (supplier_id, client_id, status, currency, line_items, total_cents,
                      tax_cents, due_date, issued_at, paid_at, created_at)
SELECT c.supplier_id, c.id, st, 'GBP',
       jsonb_build_array(jsonb_build_object('description', 'Wedding package', 'quantity', 1,
                                            'unit_cents', amount)),
       amount, amount / 5, (issued + interval '30 days')::date, issued,
       CASE WHEN st = 'paid' THEN issued + random() * interval '25 days' END, issued
  FROM (SELECT g, 1 + floor(random() * 50000)::int AS client,
               now() - random() * interval '700 days' AS issued,
               (100000 + floor(random() * 400000))::bigint AS amount,
               (ARRAY['paid', 'paid', 'paid', 'paid', 'paid', 'paid', 'sent', 'overdue', 'draft',
                      'void'])[1 + g % 10] AS st
          FROM generate_series(1, 40000) g) r
  JOIN clients c ON c.id = r.client;

INSERT INTO payments (invoice_id, amount_cents, currency, provider_charge_id, status, raw,
                      paid_at)
SELECT id, total_cents, currency, 'ch_' || substr(md5('charge' || id), 1, 24),
       CASE WHEN id % 97 = 0 THEN 'refunded' ELSE 'succeeded' END,
       jsonb_build_object('object', 'charge', 'livemode', true, 'amount', total_cents,
                          'card', jsonb_build_object('brand', 'visa', 'last4', lpad((id % 10000)::text, 4, '0'))),
       paid_at
  FROM invoices WHERE status = 'paid';

-- 400,000 API calls of the last 60 days
INSERT INTO api_usage_logs (api_key_id, supplier_id, method, endpoint, status_code,
                            response_time_ms, request_bytes, response_bytes, ip_address,
                            user_agent, request_id, created_at)
SELECT k, 1 + ((k - 1) * 7) % 2000, split_part(ep, ' ', 1), split_part(ep, ' ', 2),
       (ARRAY[200, 200, 200, 200, 200, 200, 200, 201, 200, 200, 200, 204, 200, 400, 401, 404,
              200, 429, 500, 502])[1 + floor(random() * 20)::int],
       (15 + 1500 * random() ^ 4)::int, CASE WHEN ep LIKE 'GET%' THEN 0 ELSE 300 + g % 2000 END,
       200 + (random() * 20000)::int,
       '198.51.100.0'::inet + k % 250, w.user_agents[1 + k % 8], gen_random_uuid(),
       now() - random() * interval '60 days'
  FROM words w,
       (SELECT g, 1 + floor(1500 * random() ^ 2)::int AS k FROM generate_series(1, 400000) g) r,
       LATERAL (SELECT w.endpoints[1 + (g * 7 + k) % 15] AS ep) e;

-- 200,000 audit entries of the last 90 days
INSERT INTO activity_logs (supplier_id, user_id, client_id, action, entity_type, entity_id,
                           ip_address, changes, created_at)
SELECT sup, sup, CASE WHEN g % 2 = 0 THEN 1 + (g * 31) % 50000 END, act,
       split_part(act, '.', 1), 1 + (g * 17) % 50000,
       '203.0.113.0'::inet + g % 250,
       jsonb_build_object('field', (ARRAY['status', 'wedding_date', 'notes', 'guest_count'])[1 + g % 4],
                          'from', g % 100, 'to', g % 100 + 1),
       now() - random() * interval '90 days'
  FROM words w,
       generate_series(1, 200000) g,
       LATERAL (SELECT 1 + floor(2000 * random() ^ 2)::int AS sup,
                       w.actions[1 + g % 10] AS act) x;
