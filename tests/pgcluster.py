"""pgcluster.py - a throwaway PostgreSQL cluster for the tests of PostgreSQL
archives: initdb in a directory of the build tree, the server listening on
a Unix socket in that directory only (no TCP), stopped at the end.

    pgcluster.py start PATH   start a cluster: in PATH when it is a directory
                              (made, or reused), else in a new directory
                              of /tmp whose name is written to the file PATH
    pgcluster.py stop PATH    stop it and remove its directory

The build tree may sit where the server's user cannot reach, hence the
file. As a module: database(PATH, name) makes an empty database and
returns the location feedkeep takes (postgresql:///NAME?host=DIR).

The server refuses to run as root: when the tests run as root, the cluster
belongs to the unprivileged user 'postgres' that Debian's package makes.
Authentication is 'trust' on the socket, which only this machine's users
reach.
"""
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

ROLE = 'feedkeep'


def bindir():
    """The newest PostgreSQL server's programs, or None."""
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'),
                   key=lambda p: int(p.split('/')[4]) if p.split('/')[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def as_owner(args, prefix=(), **kwargs):
    """Run args as the cluster's owner: 'postgres' when we are root. prefix,
    a command that runs the rest (its arguments), comes before the change
    of user."""
    if os.getuid() == 0:
        args = ['runuser', '-u', 'postgres', '--'] + args
    return subprocess.run(list(prefix) + args, capture_output=True, text=True, **kwargs)


def cluster_dir(path):
    """The cluster's directory: path itself, or the one the file path names."""
    if os.path.isfile(path):
        with open(path) as f:
            return f.read().strip()
    return os.path.abspath(path)


def start(path, prefix=()):
    """Start the cluster in path (see above); prefix, a command that runs
    the rest (its arguments), runs pg_ctl, as root when we are root: the
    server inherits what it sets up (a mount namespace, say)."""
    programs = bindir()
    if not programs:
        if os.environ.get('FEEDKEEP_REQUIRE_TOOLS'):
            sys.exit('pgcluster: no PostgreSQL server: install the Debian package postgresql')
        # the tests of PostgreSQL archives skip themselves
        print('pgcluster: no PostgreSQL server (the Debian package postgresql): not started')
        return
    if not os.path.isdir(path):
        state = path
        if os.path.isfile(state):
            stop(state)
        path = tempfile.mkdtemp(prefix='feedkeep-pg-')
        with open(state, 'w') as f:
            f.write(path + '\n')
    path = os.path.abspath(path)
    data = os.path.join(path, 'data')
    os.makedirs(path, exist_ok=True)
    if os.getuid() == 0:
        owner = pwd.getpwnam('postgres')
        os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chmod(path, 0o755)
    if not os.path.exists(os.path.join(data, 'PG_VERSION')):
        r = as_owner([os.path.join(programs, 'initdb'), '-D', data, '-U', ROLE, '--auth=trust',
                      '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'])
        if r.returncode:
            sys.exit('pgcluster: initdb failed:\n' + r.stdout + r.stderr)
    options = ("-c listen_addresses='' -k %s -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=60" % path)
    r = as_owner([os.path.join(programs, 'pg_ctl'), '-D', data, '-l', os.path.join(path, 'log'),
                  '-o', options, '-w', '-t', '60', 'start'], prefix=prefix)
    if r.returncode:
        log = ''
        try:
            with open(os.path.join(path, 'log')) as f:
                log = f.read()[-2000:]
        except OSError:
            pass
        sys.exit('pgcluster: the server did not start:\n' + r.stdout + r.stderr + log)
    print('postgresql:///postgres?host=%s&user=%s' % (path, ROLE))


def stop(path):
    programs = bindir()
    state = path if os.path.isfile(path) else None
    path = cluster_dir(path)
    data = os.path.join(path, 'data')
    if programs and os.path.exists(os.path.join(data, 'postmaster.pid')):
        as_owner([os.path.join(programs, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w',
                  'stop'])
    shutil.rmtree(path, ignore_errors=True)
    if state:
        os.unlink(state)


def psql(path, sql, database='postgres'):
    """Run sql on the cluster in path; returns its output (raises on error)."""
    r = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h',
                        cluster_dir(path), '-U', ROLE, '-d', database, '-c', sql],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError('psql: %s' % r.stderr.strip())
    return r.stdout


def location(path, name):
    return 'postgresql:///%s?host=%s&user=%s' % (name, cluster_dir(path), ROLE)


def database(path, name):
    """A new, empty database name in the cluster at path (dropped first if
    it exists); returns its location."""
    psql(path, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    psql(path, 'CREATE DATABASE "%s"' % name)
    return location(path, name)


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('start', 'stop'):
        sys.exit('usage: pgcluster.py start|stop DIR')
    (start if sys.argv[1] == 'start' else stop)(sys.argv[2])
