"""One more sending worker for the notification benchmark: `python -m
kollegan.bench.send_worker <smtp port> <moment>` sends what is due at the
moment to the sink, in a process of its own as a second `db_worker` would, and
prints its counts as JSON. Claims are exclusive (a lease per e-mail), so
several of these share the queue without sending anything twice."""

import datetime as dt
import json
import sys

import django


def main() -> None:
    port, moment = int(sys.argv[1]), dt.datetime.fromisoformat(sys.argv[2])
    django.setup()
    from django.test.utils import override_settings

    from kollegan.bench.sink import smtp_settings
    from kollegan.notifications import delivery

    with override_settings(**smtp_settings(port)):
        print(json.dumps(delivery.send_due(moment)), flush=True)


if __name__ == "__main__":
    main()
