// CCmarkGFM — GitHub's CommonMark library (Debian libcmark-gfm-dev, libcmark-gfm-extensions-dev): the parser,
// the HTML renderer and the core extensions (tables, strikethrough, autolinks). Only LessonWeb imports it.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
