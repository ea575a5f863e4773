#ifndef SLUICE_CZLIB_SHIM_H
#define SLUICE_CZLIB_SHIM_H
/* zlib from Debian's zlib1g-dev; only SluiceData imports this. */
#include <zlib.h>
#endif
