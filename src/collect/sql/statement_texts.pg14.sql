-- pg_stat_statements: texts of the top N statements by total and by mean execution time only, as texts are most of the view's bytes, and none that may hold a credential; extension 1.9 adds toplevel to the key
-- The view is read once (materialized), each top N is a bounded sort with a limit, and the
-- credential test runs on the chosen rows only: run on every row before the choice, it was
-- half of this query's time on a server with thousands of statements (docs/benchmarks.md).
with s as materialized (
    select s.userid, s.dbid, s.queryid, s.toplevel, s.query, s.total_exec_time, s.mean_exec_time
    from {{pgss_schema}}.pg_stat_statements(true) s
    where s.queryid is not null
)
select /* pgvigil */
    t.userid,
    t.dbid,
    t.queryid,
    t.toplevel,
    -- Utility statements keep their literals (ALTER ROLE … PASSWORD '…'): a text that may
    -- carry a credential does not leave the server.
    case
        when t.query ~* E'password|passwd|secret|user\\s+mapping|\\mconnection\\M|\\moptions\\s*\\(|\\mprogram\\M'
            then '<withheld by pgvigil: may contain a credential>'
        else t.query
    end as query
from (
    (select s.userid, s.dbid, s.queryid, s.toplevel, s.query from s order by s.total_exec_time desc limit {{text_limit}})
    union
    (select s.userid, s.dbid, s.queryid, s.toplevel, s.query from s order by s.mean_exec_time desc limit {{text_limit}})
) t;
