/* metrics-http: the optional HTTP listener (--metrics-port) that serves
 * GET /metrics on 127.0.0.1 with the text of the `metrics` verb, for
 * Prometheus scrapers. Its own module: it depends on cmd-metrics.c's text
 * and nothing depends on it but main. */
#include <errno.h>
#include <stdlib.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include "control.h"
#include "log.h"
#include "metrics-http.h"

struct metrics_http {
    struct evhttp *http;
};

static void on_http_metrics(struct evhttp_request *req, void *arg)
{
    struct daemon *d = arg;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_send_error(req, 405, "only GET");
        return;
    }
    size_t len = 0;
    char *text = cmd_metrics_text(d, &len);
    struct evbuffer *body = evbuffer_new();
    if (!text || !body) {
        free(text);
        if (body)
            evbuffer_free(body);
        evhttp_send_error(req, 500, "out of memory");
        return;
    }
    evbuffer_add(body, text, len);
    free(text);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/openmetrics-text; version=1.0.0; charset=utf-8");
    evhttp_send_reply(req, 200, "OK", body);
    evbuffer_free(body);
}

static void on_http_other(struct evhttp_request *req, void *arg)
{
    evhttp_send_error(req, 404, "only /metrics here");
}

int metrics_http_start(struct daemon *d, int port)
{
    struct metrics_http *mh = calloc(1, sizeof(*mh));
    if (!mh || !(mh->http = evhttp_new(d->base))) {
        free(mh);
        return log_errno(-ENOMEM, "metrics listener");
    }
    d->metrics_http = mh;
    evhttp_set_timeout(mh->http, 10);
    evhttp_set_max_headers_size(mh->http, 8192);
    evhttp_set_max_body_size(mh->http, 0);
    evhttp_set_allowed_methods(mh->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_cb(mh->http, "/metrics", on_http_metrics, d);
    evhttp_set_gencb(mh->http, on_http_other, d);
    /* Loopback only: scrapers on other hosts go through a local proxy or node exporter. */
    if (!evhttp_bind_socket_with_handle(mh->http, "127.0.0.1", (ev_uint16_t)port)) {
        log_error("cannot listen on 127.0.0.1:%d for /metrics", port);
        metrics_http_free(d);
        return -EADDRINUSE;
    }
    log_info("metrics on http://127.0.0.1:%d/metrics", port);
    return 0;
}

void metrics_http_free(struct daemon *d)
{
    struct metrics_http *mh = d->metrics_http;
    if (!mh)
        return;
    evhttp_free(mh->http);
    free(mh);
    d->metrics_http = NULL;
}
