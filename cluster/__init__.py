"""A scale-out Slackclone on one machine's loopback, from Debian's packages: `make cluster` / `make cluster-stop`.

nginx balances HTTP and WebSockets over N Uvicorn processes; the channel layer is sharded over two Redis
servers, a third serves the cache, presence and Celery; two PostgreSQL servers under Patroni (etcd holds
the leader lock), a primary and a synchronous standby that serves the heavy reads and takes over when the
primary fails; a Celery worker per queue and one beat. Each process's id is in
var/cluster/<name>.pid, and `cluster.down` stops exactly those. docs/scaling.md explains the shape.
"""
