/* SPDX-License-Identifier: GPL-2.0 */
/* Running leofs-oss as a daemon (serve.c). */
#ifndef LEOFS_OSS_SERVE_H
#define LEOFS_OSS_SERVE_H

/* Serves the configuration's targets until SIGTERM; the exit status. */
int oss_serve(const char *config_path);

#endif /* LEOFS_OSS_SERVE_H */
