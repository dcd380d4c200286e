#!/usr/bin/env python3
"""test_pg_open.py - opening a PostgreSQL archive: the locations feedkeep
takes (URL, $FEEDKEEP_DB, a service of pg_service.conf), the schema made
once, and the refusals: no server, a database that does not exist, a role
that does not exist, another application's database, a schema from a
newer feedkeep; never a password in a message, exit status 3.

Usage: test_pg_open.py FEEDKEEP DATA_DIR CLUSTER
(CLUSTER: the running cluster's directory or the file naming it, see
tests/pgcluster.py)
"""
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fktest  # noqa: E402
from fktest import check, run  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pgcluster  # noqa: E402


def main():
    fktest.start(sys.argv[1])
    data, cluster = sys.argv[2], fktest.pg_cluster(sys.argv[3])
    sample = os.path.join(data, 'devto-fuadhusnan.xml')
    host = pgcluster.cluster_dir(cluster)

    # a new archive: the schema is made by the first command that creates
    loc = pgcluster.database(cluster, 'open_new')
    rc, out, err = run('stats', db=loc)
    check(rc == 3 and "no archive at 'postgresql:///open_new?host=" in err
          and 'its database is empty' in err, 'an empty database is no archive: %d %r' % (rc, err))
    rc, out, err = run('add', '--no-check', 'https://example.com/feed', db=loc)
    check(rc == 0, 'add makes the schema: %d %r' % (rc, err))
    version = pgcluster.psql(cluster, 'SELECT version FROM feedkeep_schema', 'open_new').strip()
    check(version == '3', 'schema version 3: %r' % version)
    config = pgcluster.psql(cluster, 'SELECT search_config FROM feedkeep_schema',
                            'open_new').strip()
    check(config == 'simple', 'search configuration simple: %r' % config)

    # two processes making the same new archive at once make it once
    loc2 = pgcluster.database(cluster, 'open_race')
    results = []

    def add(url):
        results.append(run('add', '--no-check', url, db=loc2))

    threads = [threading.Thread(target=add, args=('https://example.com/%d' % i,))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(r[0] == 0 for r in results), 'four first commands at once: %r' % results)
    rows = pgcluster.psql(cluster, 'SELECT count(*) FROM feedkeep_schema', 'open_race').strip()
    check(rows == '1', 'one schema row: %r' % rows)

    # $FEEDKEEP_DB, and a service of pg_service.conf
    rc, out, err = run('feeds', '--format', 'tsv', env={'FEEDKEEP_DB': loc})
    check(rc == 0 and 'https://example.com/feed' in out, 'FEEDKEEP_DB: %d %r %r' % (rc, out, err))
    with tempfile.TemporaryDirectory() as tmp:
        services = os.path.join(tmp, 'pg_service.conf')
        fktest.write(services, '[team]\nhost=%s\ndbname=open_new\nuser=feedkeep\n' % host)
        rc, out, err = run('feeds', '--format', 'tsv', db='service=team',
                           env={'PGSERVICEFILE': services})
        check(rc == 0 and 'https://example.com/feed' in out,
              'service=team: %d %r %r' % (rc, out, err))
        rc, out, err = run('feeds', db='service=nosuch', env={'PGSERVICEFILE': services})
        check(rc == 3 and err.startswith('feedkeep: cannot connect to service=nosuch: ')
              and 'nosuch' in err, 'an unknown service: %d %r' % (rc, err))
        check(not os.path.exists(os.path.join(tmp, 'service=nosuch')), 'no file made')

        # no server at that socket: nothing is created where we stand
        empty = os.path.join(tmp, 'nosocket')
        os.mkdir(empty)
        for location in ('postgresql:///x?host=%s' % empty, 'postgres:///x?host=%s' % empty):
            rc, out, err = run('import', sample, db=location, cwd=tmp)
            check(rc == 3 and err.startswith("feedkeep: cannot connect to %s: " % location),
                  'no server: %d %r' % (rc, err))
        check(sorted(os.listdir(tmp)) == ['nosocket', 'pg_service.conf'],
              'nothing made in the current directory: %r' % os.listdir(tmp))

    # the password is never shown, in the URL or as a parameter
    for location in ('postgresql://feedkeep:s3cr3t@/nosuchdb?host=%s' % host,
                     'postgresql:///nosuchdb?host=%s&user=feedkeep&password=s3cr3t' % host,
                     "host=%s dbname=nosuchdb user=feedkeep password='s3cr3t'" % host):
        rc, out, err = run('list', db=location)
        check(rc == 3 and 's3cr3t' not in err and 'database "nosuchdb" does not exist' in err,
              'a wrong database, its password hidden: %d %r' % (rc, err))
    rc, out, err = run('list', db='postgresql:///open_new?host=%s&user=nosuchrole' % host)
    check(rc == 3 and 'role "nosuchrole" does not exist' in err,
          'a role that does not exist: %d %r' % (rc, err))

    # another application's database is not taken
    loc3 = pgcluster.database(cluster, 'open_other')
    pgcluster.psql(cluster, 'CREATE TABLE invoices (id integer)', 'open_other')
    rc, out, err = run('import', sample, db=loc3)
    check(rc == 3 and "is not a feedkeep archive: its database holds another application's "
          'tables' in err, "another application's database: %d %r" % (rc, err))
    tables = pgcluster.psql(cluster, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                            'open_other').strip()
    check(tables == '1', 'nothing added to it: %r' % tables)

    # a schema from a newer feedkeep is refused, and left as it is
    pgcluster.psql(cluster, 'UPDATE feedkeep_schema SET version = 99', 'open_new')
    for args in (('feeds',), ('import', sample)):
        rc, out, err = run(*args, db=loc)
        check(rc == 3 and 'was written by a newer feedkeep (schema 99' in err,
              'a newer schema, %s: %d %r' % (args[0], rc, err))
    version = pgcluster.psql(cluster, 'SELECT version FROM feedkeep_schema', 'open_new').strip()
    check(version == '99', 'the newer schema is left alone: %r' % version)

    # a URL of a scheme feedkeep does not know is still refused
    rc, out, err = run('list', db='mysql://h/db')
    check(rc == 2 and 'is a URL of a scheme feedkeep does not know' in err,
          'mysql:// refused: %d %r' % (rc, err))

    # libpq is not loaded by commands on SQLite archives
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, 'a.db')
        run('import', sample, db=db)
        env = dict(fktest.environ(), LD_DEBUG='files')
        p = subprocess.run([fktest.BIN, '--db', db, 'list', '--limit', '1'],
                           capture_output=True, env=env)
        check(p.returncode == 0 and b'libpq' not in p.stderr,
              'a SQLite archive does not load libpq')
    return fktest.summary()


if __name__ == '__main__':
    sys.exit(main())
