/* metrics-http: GET /metrics on 127.0.0.1:PORT (see metrics-http.c). */
#ifndef NP_DAEMON_METRICS_HTTP_H
#define NP_DAEMON_METRICS_HTTP_H

#include "daemon.h"

/* Listens on 127.0.0.1:PORT with d->base. 0, or -errno (logged). */
int metrics_http_start(struct daemon *d, int port);
void metrics_http_free(struct daemon *d);

#endif
