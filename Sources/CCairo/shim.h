#ifndef CONVTRACE_CCAIRO_SHIM_H
#define CONVTRACE_CCAIRO_SHIM_H
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#include <cairo/cairo-pdf.h>
/* libpng's simplified write API (png_image_write_to_memory): faster PNG frames than cairo's writer. */
#include <png.h>
#endif
