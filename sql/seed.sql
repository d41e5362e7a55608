-- ===========================================================================
-- Norbert's Spark: development data
-- ===========================================================================
--
-- Loaded by `invoke db.reset` in the same transaction as the drop script and
-- the schema (skip it with --no-seed), and by `invoke db.seed` into a freshly
-- created, empty schema. It is written for empty tables: rows are found by
-- their natural keys (e-mail, display name, title), never by id, so it does
-- not depend on where the identity sequences stand.
--
-- It shows what the schema promises on realistic rows:
--   * every user role, customer status, contact role, message role and part
--     type;
--   * audit_log rows with the acting user, taken from norberts.user_id
--     (set with set_config(..., true), which lasts until the end of the
--     transaction, like SET LOCAL);
--   * an update and a delete, so the audit log holds all three actions.
--
-- Every address uses the reserved example.com / example.org domains.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Users: one per role, and one deactivated. The first admin is created
-- before anyone can act, so its audit row has no acting user.
-- ---------------------------------------------------------------------------

INSERT INTO public.users (email, display_name, user_role)
VALUES ('ada.admin@example.com', 'Ada Admin', 'admin');

SELECT set_config(
    'norberts.user_id',
    (
        SELECT u.id::text FROM public.users AS u
        WHERE u.email = 'ada.admin@example.com'
    ),
    TRUE
);

INSERT INTO public.users (email, display_name, user_role, is_active)
VALUES
('max.manager@example.com', 'Max Manager', 'manager', TRUE),
('mia.member@example.com', 'Mia Member', 'member', TRUE),
('vic.viewer@example.com', 'Vic Viewer', 'viewer', TRUE),
('olga.former@example.com', 'Olga Former', 'member', FALSE);


-- ---------------------------------------------------------------------------
-- Customers in every status, looked after by the manager and the member.
-- ---------------------------------------------------------------------------

SELECT set_config(
    'norberts.user_id',
    (
        SELECT u.id::text FROM public.users AS u
        WHERE u.email = 'max.manager@example.com'
    ),
    TRUE
);

INSERT INTO public.customers (
    display_name, status, owner_user_id, website, phone, notes
)
SELECT
    c.display_name,
    c.status::public.customer_status,
    u.id,
    c.website,
    c.phone,
    c.notes
FROM (
    VALUES
    (
        'Acme Robotics', 'active', 'max.manager@example.com',
        'https://acme-robotics.example.com', '+49 30 1234567',
        'Key account since 2021.'
    ),
    (
        'Blue Harbor Logistics', 'prospect', 'mia.member@example.com',
        'https://blueharbor.example.org/en', '+1 (555) 010-2000', NULL
    ),
    (
        'Cedar & Sons', 'lead', NULL,
        NULL, NULL, 'Met at the trade fair; no owner yet.'
    ),
    (
        'Delta Dental Group', 'inactive', 'max.manager@example.com',
        'http://delta-dental.example.com', '030/987654', 'Paused the contract.'
    ),
    (
        'Fjord Analytics', 'lead', NULL,
        'https://fjord.example.org', NULL, 'Asked for a demo.'
    ),
    (
        'Evergreen Foods', 'churned', 'mia.member@example.com',
        NULL, '+44 20 7946 0000', 'Moved to a competitor.'
    )
) AS c (display_name, status, owner_email, website, phone, notes)
LEFT JOIN public.users AS u ON c.owner_email = u.email;


-- ---------------------------------------------------------------------------
-- People, and their roles at the customers.
-- ---------------------------------------------------------------------------

INSERT INTO public.people (first_name, last_name, email, phone, job_title)
VALUES
('Grace', 'Hopper', 'grace@acme-robotics.example.com', '+49 30 1234568', 'CTO'),
('Linus', 'Berg', 'linus@acme-robotics.example.com', NULL, 'Head of Finance'),
('Noor', 'Haddad', 'noor@blueharbor.example.org', '+1 555 010 2001', 'COO'),
('Tomas', NULL, NULL, NULL, NULL),
('Yuki', 'Tanaka', 'yuki.tanaka@example.org', NULL, 'Consultant'),
('Sam', 'Temp', 'sam.temp@example.org', NULL, NULL);

INSERT INTO public.customer_people (
    customer_id, person_id, contact_role, is_primary
)
SELECT
    c.id AS customer_id,
    p.id AS person_id,
    l.contact_role::public.contact_role AS contact_role,
    l.is_primary
FROM (
    VALUES
    (
        'Acme Robotics',
        'grace@acme-robotics.example.com',
        'decision_maker',
        TRUE
    ),
    ('Acme Robotics', 'linus@acme-robotics.example.com', 'billing', FALSE),
    ('Acme Robotics', 'yuki.tanaka@example.org', 'technical', FALSE),
    ('Blue Harbor Logistics', 'noor@blueharbor.example.org', 'champion', TRUE),
    ('Blue Harbor Logistics', 'yuki.tanaka@example.org', 'other', FALSE),
    ('Delta Dental Group', 'sam.temp@example.org', 'end_user', FALSE)
) AS l (customer_name, person_email, contact_role, is_primary)
INNER JOIN public.customers AS c ON l.customer_name = c.display_name
INNER JOIN public.people AS p ON l.person_email = p.email;

-- Tomas has no e-mail: link him by name.
INSERT INTO public.customer_people (customer_id, person_id, contact_role)
SELECT
    c.id AS customer_id,
    p.id AS person_id,
    'end_user' AS contact_role
FROM public.customers AS c
CROSS JOIN public.people AS p
WHERE c.display_name = 'Cedar & Sons' AND p.first_name = 'Tomas';

-- A lead that turned into a prospect, and a contact who left: the audit log
-- records an update and a delete (the link goes with the person).
UPDATE public.customers
SET status = 'prospect'
WHERE display_name = 'Cedar & Sons';

DELETE FROM public.people
WHERE email = 'sam.temp@example.org';


-- ---------------------------------------------------------------------------
-- AI chat: the member talks to the assistant about a customer.
-- ---------------------------------------------------------------------------

SELECT set_config(
    'norberts.user_id',
    (
        SELECT u.id::text FROM public.users AS u
        WHERE u.email = 'mia.member@example.com'
    ),
    TRUE
);

INSERT INTO public.chats (user_id, customer_id, title)
SELECT
    u.id AS user_id,
    c.id AS customer_id,
    t.title
FROM (
    VALUES
    ('mia.member@example.com', 'Acme Robotics', 'Renewal proposal for Acme'),
    ('max.manager@example.com', NULL, NULL)
) AS t (user_email, customer_name, title)
INNER JOIN public.users AS u ON t.user_email = u.email
LEFT JOIN public.customers AS c ON t.customer_name = c.display_name;

-- The turns of the first chat, one second apart so they sort by created_at.
INSERT INTO public.messages (chat_id, message_role, created_at, updated_at)
SELECT
    ch.id AS chat_id,
    m.message_role::public.message_role AS message_role,
    now() + make_interval(secs => m.turn) AS created_at,
    now() + make_interval(secs => m.turn) AS updated_at
FROM (
    VALUES
    (0, 'system'),
    (1, 'user'),
    (2, 'assistant'),
    (3, 'tool'),
    (4, 'assistant')
) AS m (turn, message_role)
CROSS JOIN public.chats AS ch
WHERE ch.title = 'Renewal proposal for Acme';

-- An untitled chat with a single question.
INSERT INTO public.messages (chat_id, message_role)
SELECT
    ch.id AS chat_id,
    'user' AS message_role
FROM public.chats AS ch
WHERE ch.title IS NULL;

-- Parts of every type, addressed by the chat's title and the message's turn
-- (its place in the chat, from 0).
WITH turns AS (
    SELECT
        m.id,
        m.message_role,
        ch.title,
        row_number() OVER (PARTITION BY m.chat_id ORDER BY m.created_at, m.id)
        - 1 AS turn
    FROM public.messages AS m
    INNER JOIN public.chats AS ch ON m.chat_id = ch.id
)

INSERT INTO public.parts (
    message_id, ordinal, part_type, text_content, tool_call_id, tool_name,
    tool_input, tool_output, is_error, url, media_type, filename
)
SELECT
    t.id,
    p.ordinal,
    p.part_type::public.part_type,
    p.text_content,
    p.tool_call_id,
    p.tool_name,
    p.tool_input::jsonb,
    p.tool_output::jsonb,
    p.is_error,
    p.url,
    p.media_type,
    p.filename
FROM (
    VALUES
    (
        'Renewal proposal for Acme', 0, 0, 'text',
        'You are a helpful sales assistant for Norbert''s Spark.',
        NULL, NULL, NULL, NULL, FALSE, NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 1, 0, 'text',
        'Draft a renewal proposal for Acme. Their contract is attached.',
        NULL, NULL, NULL, NULL, FALSE, NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 1, 1, 'file',
        NULL, NULL, NULL, NULL, NULL, FALSE,
        'https://files.example.com/acme/contract-2025.pdf', 'application/pdf',
        'contract-2025.pdf'
    ),
    (
        'Renewal proposal for Acme', 2, 0, 'reasoning',
        'I need the current seat count before I can price the renewal.',
        NULL, NULL, NULL, NULL, FALSE, NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 2, 1, 'tool_call',
        NULL,
        'call_0001',
        'crm_lookup',
        '{"customer": "Acme Robotics", "field": "seats"}',
        NULL, FALSE, NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 3, 0, 'tool_result',
        NULL,
        'call_0001',
        'crm_lookup',
        NULL,
        '{"seats": 42}',
        FALSE,
        NULL,
        NULL,
        NULL
    ),
    (
        'Renewal proposal for Acme', 3, 1, 'tool_result',
        NULL,
        'call_0002',
        NULL,
        NULL,
        '{"error": "pricing service timed out"}',
        TRUE,
        NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 4, 0, 'text',
        'A draft: 42 seats, renewed for 24 months at last year''s price.',
        NULL, NULL, NULL, NULL, FALSE, NULL, NULL, NULL
    ),
    (
        'Renewal proposal for Acme', 4, 1, 'image',
        NULL, NULL, NULL, NULL, NULL, FALSE,
        'https://files.example.com/acme/seat-usage.png', 'image/png', NULL
    ),
    (
        NULL, 0, 0, 'text',
        E'Which customers have no owner?\n(Just the names, please.)',
        NULL, NULL, NULL, NULL, FALSE, NULL, NULL, NULL
    )
)
    AS p (
        title, turn, ordinal, part_type, text_content, tool_call_id, tool_name,
        tool_input, tool_output, is_error, url, media_type, filename
    )
INNER JOIN turns AS t
    ON t.title IS NOT DISTINCT FROM p.title AND p.turn = t.turn;

-- The settings each assistant message was generated with.
WITH assistant_turns AS (
    SELECT
        m.id,
        row_number() OVER (ORDER BY m.created_at, m.id) AS n
    FROM public.messages AS m
    WHERE m.message_role = 'assistant'
)

INSERT INTO public.ai_options (
    message_id,
    provider_name,
    model_name,
    temperature,
    top_p,
    top_k,
    max_tokens,
    presence_penalty, frequency_penalty, seed, stop_sequences, provider_options
)
SELECT
    a.id,
    o.provider_name,
    o.model_name,
    o.temperature,
    o.top_p,
    o.top_k,
    o.max_tokens,
    o.presence_penalty,
    o.frequency_penalty,
    o.seed,
    o.stop_sequences,
    o.provider_options::jsonb
FROM (
    VALUES
    (
        1::bigint,
        'openai',
        'gpt-4.1',
        0.20::numeric,
        0.950::numeric,
        NULL::integer,
        2048, 0.00::numeric, 0.00::numeric, 7::bigint, ARRAY['END']::text[],
        '{"reasoning_effort": "medium"}'
    ),
    (
        2::bigint,
        'mistral',
        'mistral-large',
        1.00::numeric,
        NULL::numeric,
        40,
        4096, NULL::numeric, NULL::numeric, NULL::bigint, NULL::text[], NULL
    )
)
    AS o (
        n, provider_name, model_name, temperature, top_p, top_k, max_tokens,
        presence_penalty,
        frequency_penalty,
        seed,
        stop_sequences,
        provider_options
    )
INNER JOIN assistant_turns AS a ON o.n = a.n;
