-- ===========================================================================
-- Norbert's Spark: database schema (source of truth)
-- ===========================================================================
--
-- A small CRM with an AI chat attached to it. Nine tables in schema public:
--
--   users            people who log in to the application
--   customers        companies (or individuals) the business works with
--   people           contact persons, independent of any one customer
--   customer_people  which person is a contact of which customer, and how
--   chats            AI conversations, owned by a user, optionally about a
--                    customer
--   messages         the turns of a chat (user / assistant / system / tool)
--   ai_options       the model settings an assistant message was generated
--                    with (one row per message, optional)
--   parts            the content of a message, in order: text, reasoning,
--                    tool calls and results, files, images
--   audit_log        append-only history of every change to the CRM tables
--
-- Conventions
--   * Primary keys are bigint GENERATED ALWAYS AS IDENTITY (customer_people
--     uses the composite key of the two rows it links).
--   * Every table except audit_log has created_at / updated_at; updated_at
--     is maintained by the set_updated_at() trigger.
--   * Constraint suffixes: _pk, _fk, _uq, _ck; index suffixes: _idx, _uq;
--     trigger suffix: _trg.
--   * Every foreign-key column has an index whose leading column it is.
--   * "Not blank" means at least one character that is neither whitespace
--     nor a no-break space: x ~ '[^[:space:]\u00a0]'. (btrim() would strip
--     spaces only, and let a tab or a line break through.)
--   * Changes to users, customers, people and customer_people are written to
--     audit_log by audit_row_change(). The acting user is taken from the
--     session setting norberts.user_id, which the application sets per
--     transaction:  SET LOCAL norberts.user_id = '42';
--
-- The file is plain SQL for PostgreSQL 15 and later. It creates no
-- extensions, does not create or alter schema public, and contains no
-- transaction control: the caller runs it inside one transaction.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Types: closed vocabularies
-- ---------------------------------------------------------------------------

CREATE TYPE public.user_role AS ENUM (
    'admin',
    'manager',
    'member',
    'viewer'
);

COMMENT ON TYPE public.user_role IS
'What a user may do in the application.';

CREATE TYPE public.customer_status AS ENUM (
    'lead',
    'prospect',
    'active',
    'inactive',
    'churned'
);

COMMENT ON TYPE public.customer_status IS
'Where a customer stands in its life cycle.';

CREATE TYPE public.contact_role AS ENUM (
    'decision_maker',
    'billing',
    'technical',
    'champion',
    'end_user',
    'other'
);

COMMENT ON TYPE public.contact_role IS
'The part a person plays for a customer.';

CREATE TYPE public.message_role AS ENUM (
    'user',
    'assistant',
    'system',
    'tool'
);

COMMENT ON TYPE public.message_role IS
'Who produced a chat message.';

CREATE TYPE public.part_type AS ENUM (
    'text',
    'reasoning',
    'tool_call',
    'tool_result',
    'file',
    'image'
);

COMMENT ON TYPE public.part_type IS
'Kind of content a message part carries; decides which columns are set.';

CREATE TYPE public.audit_action AS ENUM (
    'insert',
    'update',
    'delete'
);

COMMENT ON TYPE public.audit_action IS
'The kind of row change recorded in audit_log.';


-- ---------------------------------------------------------------------------
-- Functions used by triggers
-- ---------------------------------------------------------------------------

CREATE FUNCTION public.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION public.set_updated_at() IS
'BEFORE UPDATE trigger: stamps updated_at with the transaction time.';

-- Trigger arguments: the primary key column names of the audited table.
-- They are used to build audit_log.row_pk, e.g. {"id": 7} or
-- {"customer_id": 3, "person_id": 9}.
--
-- The acting user comes from the session setting norberts.user_id. It is
-- NULL when the setting was never set or is empty (after RESET, or SET to
-- ''). Any other value that is not a whole number is a bug in the caller
-- and aborts the change rather than writing a misleading audit row. The id
-- is not checked against users (see audit_log.user_id).
--
-- SECURITY INVOKER: whoever changes the CRM rows must also be allowed to
-- INSERT into audit_log.
CREATE FUNCTION public.audit_row_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_old     jsonb;
    v_new     jsonb;
    v_row_pk  jsonb;
    v_setting text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        v_new := to_jsonb(NEW);
    END IF;

    SELECT jsonb_object_agg(pk.col, coalesce(v_new, v_old) -> pk.col)
    INTO v_row_pk
    FROM unnest(TG_ARGV) AS pk (col);

    IF v_row_pk IS NULL OR jsonb_strip_nulls(v_row_pk) <> v_row_pk THEN
        RAISE EXCEPTION
            'audit trigger on %: arguments must name the primary key columns',
            TG_TABLE_NAME;
    END IF;

    v_setting := nullif(btrim(current_setting('norberts.user_id', true)), '');
    IF v_setting !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'norberts.user_id must be a user id, not "%"',
            v_setting
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    INSERT INTO public.audit_log (
        table_name, audit_action, row_pk, old_row, new_row, user_id
    )
    VALUES (
        TG_TABLE_NAME,
        lower(TG_OP)::public.audit_action,
        v_row_pk,
        v_old,
        v_new,
        v_setting::bigint
    );

    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION public.audit_row_change() IS
'AFTER ROW trigger: writes the change to audit_log. Arguments: primary key '
'column names of the table.';


-- ---------------------------------------------------------------------------
-- Users
-- ---------------------------------------------------------------------------

CREATE TABLE public.users (
    id bigint GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL,
    display_name text NOT NULL,
    user_role public.user_role NOT NULL DEFAULT 'member',
    is_active boolean NOT NULL DEFAULT TRUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pk PRIMARY KEY (id),
    CONSTRAINT users_email_format_ck
    CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT users_display_name_not_blank_ck
    CHECK (display_name ~ '[^[:space:]\u00a0]')
);

COMMENT ON TABLE public.users IS
'People who log in to the application. Deactivate (is_active = false) '
'rather than delete: deleting a user also deletes their chats.';
COMMENT ON COLUMN public.users.email IS
'Login e-mail; unique regardless of letter case.';

CREATE UNIQUE INDEX users_email_lower_uq ON public.users (lower(email));

CREATE TRIGGER users_set_updated_at_trg
BEFORE UPDATE ON public.users
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER users_audit_trg
AFTER INSERT OR UPDATE OR DELETE ON public.users
FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('id');


-- ---------------------------------------------------------------------------
-- CRM: customers, people and the link between them
-- ---------------------------------------------------------------------------

CREATE TABLE public.customers (
    id bigint GENERATED ALWAYS AS IDENTITY,
    display_name text NOT NULL,
    status public.customer_status NOT NULL DEFAULT 'lead',
    owner_user_id bigint,
    website text,
    phone text,
    notes text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_pk PRIMARY KEY (id),
    -- A customer is company data: it outlives the user who looks after it
    -- and simply becomes unassigned.
    CONSTRAINT customers_owner_user_id_fk
    FOREIGN KEY (owner_user_id) REFERENCES public.users (id)
    ON DELETE SET NULL,
    CONSTRAINT customers_display_name_not_blank_ck
    CHECK (display_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT customers_website_format_ck
    CHECK (website ~* '^https?://[^\s/]+\S*$'),
    CONSTRAINT customers_phone_format_ck
    CHECK (phone ~ '^\+?[0-9][0-9 ()./-]{2,30}$')
);

COMMENT ON TABLE public.customers IS
'Companies or individuals the business sells to or works with.';
COMMENT ON COLUMN public.customers.owner_user_id IS
'The user responsible for the customer; NULL when unassigned.';

CREATE INDEX customers_owner_user_id_idx
ON public.customers (owner_user_id);

CREATE TRIGGER customers_set_updated_at_trg
BEFORE UPDATE ON public.customers
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER customers_audit_trg
AFTER INSERT OR UPDATE OR DELETE ON public.customers
FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('id');

CREATE TABLE public.people (
    id bigint GENERATED ALWAYS AS IDENTITY,
    first_name text NOT NULL,
    last_name text,
    email text,
    phone text,
    job_title text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT people_pk PRIMARY KEY (id),
    CONSTRAINT people_first_name_not_blank_ck
    CHECK (first_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT people_last_name_not_blank_ck
    CHECK (last_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT people_email_format_ck
    CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT people_phone_format_ck
    CHECK (phone ~ '^\+?[0-9][0-9 ()./-]{2,30}$'),
    CONSTRAINT people_job_title_not_blank_ck
    CHECK (job_title ~ '[^[:space:]\u00a0]')
);

COMMENT ON TABLE public.people IS
'Contact persons. A person can be a contact of several customers.';
COMMENT ON COLUMN public.people.email IS
'Optional; when present, unique regardless of letter case.';

-- NULL e-mails never collide: a unique index treats NULLs as distinct.
CREATE UNIQUE INDEX people_email_lower_uq ON public.people (lower(email));

CREATE TRIGGER people_set_updated_at_trg
BEFORE UPDATE ON public.people
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER people_audit_trg
AFTER INSERT OR UPDATE OR DELETE ON public.people
FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('id');

CREATE TABLE public.customer_people (
    customer_id bigint NOT NULL,
    person_id bigint NOT NULL,
    contact_role public.contact_role NOT NULL DEFAULT 'other',
    is_primary boolean NOT NULL DEFAULT FALSE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The primary key also serves as the index for customer_id.
    CONSTRAINT customer_people_pk PRIMARY KEY (customer_id, person_id),
    -- A link means nothing without both ends: it goes with either of them.
    CONSTRAINT customer_people_customer_id_fk
    FOREIGN KEY (customer_id) REFERENCES public.customers (id)
    ON DELETE CASCADE,
    CONSTRAINT customer_people_person_id_fk
    FOREIGN KEY (person_id) REFERENCES public.people (id)
    ON DELETE CASCADE
);

COMMENT ON TABLE public.customer_people IS
'Which person is a contact of which customer, in what role. At most one '
'primary contact per customer.';
COMMENT ON COLUMN public.customer_people.is_primary IS
'The main contact of the customer; at most one per customer.';

CREATE INDEX customer_people_person_id_idx
ON public.customer_people (person_id);

CREATE UNIQUE INDEX customer_people_one_primary_uq
ON public.customer_people (customer_id)
WHERE is_primary;

CREATE TRIGGER customer_people_set_updated_at_trg
BEFORE UPDATE ON public.customer_people
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER customer_people_audit_trg
AFTER INSERT OR UPDATE OR DELETE ON public.customer_people
FOR EACH ROW EXECUTE FUNCTION public.audit_row_change(
    'customer_id', 'person_id'
);


-- ---------------------------------------------------------------------------
-- AI chat: chats, messages, ai_options, parts
-- ---------------------------------------------------------------------------

CREATE TABLE public.chats (
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id bigint NOT NULL,
    customer_id bigint,
    title text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chats_pk PRIMARY KEY (id),
    -- CASCADE: a chat is the private workspace of its user, not shared CRM
    -- data, and may hold personal data. Deleting a user is an erasure and
    -- takes the chats along; ordinary offboarding sets users.is_active.
    CONSTRAINT chats_user_id_fk
    FOREIGN KEY (user_id) REFERENCES public.users (id)
    ON DELETE CASCADE,
    -- The conversation stays with its user when the customer goes.
    CONSTRAINT chats_customer_id_fk
    FOREIGN KEY (customer_id) REFERENCES public.customers (id)
    ON DELETE SET NULL,
    CONSTRAINT chats_title_ck
    CHECK (title ~ '[^[:space:]\u00a0]' AND char_length(title) <= 200)
);

COMMENT ON TABLE public.chats IS
'AI conversations. Each belongs to one user and may be about a customer.';
COMMENT ON COLUMN public.chats.title IS
'Optional title, NULL until one is given or generated.';

-- Leading column user_id: the foreign-key index, and the "my recent chats"
-- list.
CREATE INDEX chats_user_id_updated_at_idx
ON public.chats (user_id, updated_at DESC);

CREATE INDEX chats_customer_id_idx ON public.chats (customer_id);

CREATE TRIGGER chats_set_updated_at_trg
BEFORE UPDATE ON public.chats
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE public.messages (
    id bigint GENERATED ALWAYS AS IDENTITY,
    chat_id bigint NOT NULL,
    message_role public.message_role NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_pk PRIMARY KEY (id),
    -- Messages exist only inside their chat.
    CONSTRAINT messages_chat_id_fk
    FOREIGN KEY (chat_id) REFERENCES public.chats (id)
    ON DELETE CASCADE
);

COMMENT ON TABLE public.messages IS
'The turns of a chat, in order of created_at then id. The content is in '
'parts.';

-- Leading column chat_id: the foreign-key index, and the message list of a
-- chat in order.
CREATE INDEX messages_chat_id_created_at_idx
ON public.messages (chat_id, created_at, id);

CREATE TRIGGER messages_set_updated_at_trg
BEFORE UPDATE ON public.messages
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- NULL in any setting means "the provider's default".
CREATE TABLE public.ai_options (
    id bigint GENERATED ALWAYS AS IDENTITY,
    message_id bigint NOT NULL,
    provider_name text NOT NULL,
    model_name text NOT NULL,
    temperature numeric(3, 2),
    top_p numeric(4, 3),
    top_k integer,
    max_tokens integer,
    presence_penalty numeric(3, 2),
    frequency_penalty numeric(3, 2),
    seed bigint,
    stop_sequences text[],
    provider_options jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_options_pk PRIMARY KEY (id),
    -- The settings describe one message and go with it (and so with its
    -- chat).
    CONSTRAINT ai_options_message_id_fk
    FOREIGN KEY (message_id) REFERENCES public.messages (id)
    ON DELETE CASCADE,
    -- One set of settings per message; also the foreign-key index.
    CONSTRAINT ai_options_message_id_uq UNIQUE (message_id),
    CONSTRAINT ai_options_provider_name_not_blank_ck
    CHECK (provider_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT ai_options_model_name_not_blank_ck
    CHECK (model_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT ai_options_temperature_range_ck
    CHECK (temperature BETWEEN 0 AND 2),
    CONSTRAINT ai_options_top_p_range_ck CHECK (top_p BETWEEN 0 AND 1),
    CONSTRAINT ai_options_top_k_range_ck CHECK (top_k > 0),
    CONSTRAINT ai_options_max_tokens_range_ck
    CHECK (max_tokens > 0 AND max_tokens <= 1000000),
    CONSTRAINT ai_options_presence_penalty_range_ck
    CHECK (presence_penalty BETWEEN -2 AND 2),
    CONSTRAINT ai_options_frequency_penalty_range_ck
    CHECK (frequency_penalty BETWEEN -2 AND 2),
    -- At most 16 stop sequences in a flat list, none NULL or empty.
    -- array_position() raises on a multidimensional array, so those are
    -- refused first: the CASE fixes the order of evaluation.
    CONSTRAINT ai_options_stop_sequences_ck CHECK (
        stop_sequences IS NULL
        OR CASE
            WHEN array_ndims(stop_sequences) <> 1 THEN FALSE
            ELSE
                cardinality(stop_sequences) >= 1
                AND cardinality(stop_sequences) <= 16
                AND array_position(stop_sequences, NULL) IS NULL
                AND array_position(stop_sequences, '') IS NULL
        END
    ),
    CONSTRAINT ai_options_provider_options_object_ck
    CHECK (jsonb_typeof(provider_options) = 'object')
);

COMMENT ON TABLE public.ai_options IS
'Model and sampling settings an assistant message was generated with. '
'Optional, at most one row per message; NULL settings mean the provider '
'default.';
COMMENT ON COLUMN public.ai_options.provider_options IS
'Provider-specific settings as a JSON object.';

CREATE TRIGGER ai_options_set_updated_at_trg
BEFORE UPDATE ON public.ai_options
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Which columns a part carries depends on its part_type:
--   text, reasoning  text_content
--   tool_call        tool_call_id, tool_name, tool_input (a JSON object)
--   tool_result      tool_call_id, tool_output, optionally tool_name and
--                    is_error
--   file             url, media_type, optionally filename
--   image            url, media_type image/..., optionally filename
-- Columns that do not belong to the type must be NULL. The type checks spell
-- out IS NOT NULL before any other test of a column: a check whose result is
-- NULL passes.
CREATE TABLE public.parts (
    id bigint GENERATED ALWAYS AS IDENTITY,
    message_id bigint NOT NULL,
    ordinal integer NOT NULL,
    part_type public.part_type NOT NULL,
    text_content text,
    tool_call_id text,
    tool_name text,
    tool_input jsonb,
    tool_output jsonb,
    is_error boolean NOT NULL DEFAULT FALSE,
    url text,
    media_type text,
    filename text,
    provider_metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT parts_pk PRIMARY KEY (id),
    -- Parts exist only inside their message.
    CONSTRAINT parts_message_id_fk
    FOREIGN KEY (message_id) REFERENCES public.messages (id)
    ON DELETE CASCADE,
    -- Order within the message; also the foreign-key index.
    CONSTRAINT parts_message_id_ordinal_uq UNIQUE (message_id, ordinal),
    CONSTRAINT parts_ordinal_nonnegative_ck CHECK (ordinal >= 0),
    CONSTRAINT parts_text_fields_ck CHECK (
        part_type <> 'text'
        OR (
            text_content IS NOT NULL
            AND num_nonnulls(
                tool_call_id, tool_name, tool_input, tool_output,
                url, media_type, filename
            ) = 0
        )
    ),
    CONSTRAINT parts_reasoning_fields_ck CHECK (
        part_type <> 'reasoning'
        OR (
            text_content IS NOT NULL
            AND num_nonnulls(
                tool_call_id, tool_name, tool_input, tool_output,
                url, media_type, filename
            ) = 0
        )
    ),
    CONSTRAINT parts_tool_call_fields_ck CHECK (
        part_type <> 'tool_call'
        OR (
            tool_call_id IS NOT NULL
            AND tool_name IS NOT NULL
            AND tool_input IS NOT NULL
            AND jsonb_typeof(tool_input) = 'object'
            AND num_nonnulls(
                text_content, tool_output, url, media_type, filename
            ) = 0
        )
    ),
    CONSTRAINT parts_tool_result_fields_ck CHECK (
        part_type <> 'tool_result'
        OR (
            tool_call_id IS NOT NULL
            AND tool_output IS NOT NULL
            AND num_nonnulls(
                text_content, tool_input, url, media_type, filename
            ) = 0
        )
    ),
    CONSTRAINT parts_file_fields_ck CHECK (
        part_type <> 'file'
        OR (
            url IS NOT NULL
            AND media_type IS NOT NULL
            AND num_nonnulls(
                text_content, tool_call_id, tool_name, tool_input, tool_output
            ) = 0
        )
    ),
    CONSTRAINT parts_image_fields_ck CHECK (
        part_type <> 'image'
        OR (
            url IS NOT NULL
            AND media_type IS NOT NULL
            AND media_type LIKE 'image/%'
            AND num_nonnulls(
                text_content, tool_call_id, tool_name, tool_input, tool_output
            ) = 0
        )
    ),
    CONSTRAINT parts_is_error_tool_result_ck
    CHECK (NOT is_error OR part_type = 'tool_result'),
    CONSTRAINT parts_tool_call_id_not_blank_ck
    CHECK (tool_call_id ~ '[^[:space:]\u00a0]'),
    CONSTRAINT parts_tool_name_ck
    CHECK (tool_name ~ '[^[:space:]\u00a0]' AND char_length(tool_name) <= 128),
    CONSTRAINT parts_url_format_ck CHECK (url ~* '^(https?://|data:)\S+$'),
    CONSTRAINT parts_media_type_format_ck CHECK (
        media_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$'
    ),
    CONSTRAINT parts_filename_not_blank_ck
    CHECK (filename ~ '[^[:space:]\u00a0]')
);

COMMENT ON TABLE public.parts IS
'The content of a message, ordered by ordinal. part_type decides which '
'columns are set (see the parts_*_fields_ck constraints).';
COMMENT ON COLUMN public.parts.tool_call_id IS
'Provider id of a tool call; a tool_result repeats the id of its call.';
COMMENT ON COLUMN public.parts.media_type IS
'Lower-case IANA media type without parameters, e.g. image/png.';

-- Find the result of a tool call (and the call of a result).
CREATE INDEX parts_tool_call_id_idx
ON public.parts (tool_call_id)
WHERE tool_call_id IS NOT NULL;

CREATE TRIGGER parts_set_updated_at_trg
BEFORE UPDATE ON public.parts
FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


-- ---------------------------------------------------------------------------
-- Audit
-- ---------------------------------------------------------------------------

CREATE TABLE public.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    table_name text NOT NULL,
    audit_action public.audit_action NOT NULL,
    row_pk jsonb NOT NULL,
    old_row jsonb,
    new_row jsonb,
    -- Deliberately no foreign key to users. The log must keep saying who
    -- did what after that user is deleted: RESTRICT would make users
    -- undeletable, SET NULL would rewrite history, and a user deleting
    -- their own row would fail the check of the very audit row recording
    -- it.
    user_id bigint,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_log_pk PRIMARY KEY (id),
    CONSTRAINT audit_log_table_name_not_blank_ck
    CHECK (table_name ~ '[^[:space:]\u00a0]'),
    CONSTRAINT audit_log_row_pk_object_ck
    CHECK (jsonb_typeof(row_pk) = 'object'),
    CONSTRAINT audit_log_row_images_ck CHECK (
        (
            audit_action = 'insert'
            AND old_row IS NULL
            AND new_row IS NOT NULL
        )
        OR (
            audit_action = 'update'
            AND old_row IS NOT NULL
            AND new_row IS NOT NULL
        )
        OR (
            audit_action = 'delete'
            AND old_row IS NOT NULL
            AND new_row IS NULL
        )
    )
);

COMMENT ON TABLE public.audit_log IS
'Append-only history of inserts, updates and deletes on users, customers, '
'people and customer_people, written by audit_row_change(). No updated_at: '
'rows are never changed.';
COMMENT ON COLUMN public.audit_log.row_pk IS
'Primary key of the changed row as a JSON object, e.g. {"id": 7}.';
COMMENT ON COLUMN public.audit_log.user_id IS
'Acting user from the session setting norberts.user_id; NULL when unset. '
'Not a foreign key, so it survives the deletion of the user.';
COMMENT ON COLUMN public.audit_log.occurred_at IS
'Transaction time of the change.';

-- History of one row.
CREATE INDEX audit_log_table_name_row_pk_idx
ON public.audit_log (table_name, row_pk);

-- What a user did.
CREATE INDEX audit_log_user_id_idx ON public.audit_log (user_id);

-- Recent changes, and purging by age.
CREATE INDEX audit_log_occurred_at_idx ON public.audit_log (occurred_at);
