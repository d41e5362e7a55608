-- lock_timeout and statement_timeout brought back within the toolkit's bounds after a
-- statement of a file that may have changed them. A tighter value the file set is
-- kept; 0 ("no limit") or a looser one is not. A bound of 0 leaves the setting as it is.
-- Formatted with literals: it runs inside a batch of statements, without parameters.
SELECT
    set_config(
        'lock_timeout',
        CASE
            WHEN
                {lock}::interval = '0'
                OR current_setting('lock_timeout')::interval BETWEEN '1ms' AND {lock}::interval
                THEN current_setting('lock_timeout')
            ELSE {lock}
        END,
        true
    ) AS lock_timeout,
    set_config(
        'statement_timeout',
        CASE
            WHEN
                {statement}::interval = '0'
                OR current_setting('statement_timeout')::interval
                BETWEEN '1ms' AND {statement}::interval
                THEN current_setting('statement_timeout')
            ELSE {statement}
        END,
        true
    ) AS statement_timeout
