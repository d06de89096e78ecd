-- pg_stat_statements: texts of the top N statements by total and by mean execution time only, as texts are most of the view's bytes, and none that may hold a credential; extension 1.8 (no toplevel)
select /* pgvigil */
    t.userid,
    t.dbid,
    t.queryid,
    t.query
from (
    select
        s.userid,
        s.dbid,
        s.queryid,
        -- Utility statements keep their literals (ALTER ROLE … PASSWORD '…'): a text that may
        -- carry a credential does not leave the server.
        case
            when s.query ~* E'password|passwd|secret|user\\s+mapping|\\mconnection\\M|\\moptions\\s*\\(|\\mprogram\\M'
                then '<withheld by pgvigil: may contain a credential>'
            else s.query
        end as query,
        row_number() over (order by s.total_exec_time desc) as by_total,
        row_number() over (order by s.mean_exec_time desc) as by_mean
    from {{pgss_schema}}.pg_stat_statements(true) s
    where s.queryid is not null
) t
where t.by_total <= {{text_limit}} or t.by_mean <= {{text_limit}};
