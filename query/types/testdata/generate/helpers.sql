-- Helper functions the fixture generators call (PostgreSQL 15). Output text uses
-- the type's output function (concat), errors are 'ERR:<sqlstate>:<message>'.
create or replace function try_in(t text, v text) returns text language plpgsql as $$
declare r text;
begin
  -- An INSERT applies the input function with the column's typmod (assignment rules).
  execute format('create temp table _x (c %s)', t);
  begin
    execute format('insert into _x values (%L)', v);
    select concat(c) into r from _x;
    drop table _x;
    return 'OK:' || r;
  exception when others then
    drop table _x;
    return 'ERR:' || SQLSTATE || ':' || SQLERRM;
  end;
end $$;

create or replace function try_expr(e text) returns text language plpgsql as $$
declare r text;
begin
  execute 'select concat((' || e || '))' into r;
  return 'OK:' || r;
exception when others then
  return 'ERR:' || SQLSTATE || ':' || SQLERRM;
end $$;

create or replace function try_assign(f text, v text, t text) returns text language plpgsql as $$
declare r text;
begin
  execute format('create temp table _y (c %s)', t);
  begin
    execute format('insert into _y values (%L::%s)', v, f);
    select concat(c) into r from _y;
    drop table _y;
    return 'OK:' || r;
  exception when others then
    drop table _y;
    return 'ERR:' || SQLSTATE || ':' || SQLERRM;
  end;
end $$;
