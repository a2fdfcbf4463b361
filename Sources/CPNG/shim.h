#ifndef CONVTRACE_CPNG_SHIM_H
#define CONVTRACE_CPNG_SHIM_H
/* libpng's simplified write API (png_image_write_to_memory): faster PNG frames than Cairo's writer. */
#include <png.h>
#endif
