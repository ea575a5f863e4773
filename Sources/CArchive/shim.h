#ifndef SLUICE_CARCHIVE_SHIM_H
#define SLUICE_CARCHIVE_SHIM_H
/* libarchive from Debian's libarchive-dev; only SluiceArchive imports this. */
#include <archive.h>
#include <archive_entry.h>
#endif
