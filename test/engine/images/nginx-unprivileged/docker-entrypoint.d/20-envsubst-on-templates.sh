#!/bin/sh
# Renders each template under NGINX_ENVSUBST_TEMPLATE_DIR (/etc/nginx/templates), named *<suffix>
# (NGINX_ENVSUBST_TEMPLATE_SUFFIX, .template), into NGINX_ENVSUBST_OUTPUT_DIR (/etc/nginx/conf.d) under the
# same relative path without the suffix. Only ${NAME} references to variables defined in the environment (and
# matching the regular expression NGINX_ENVSUBST_FILTER, when set) are replaced, so nginx's own $variables
# pass through. An output directory that cannot be written is logged, not fatal: nginx then starts with
# whatever configuration is there, as in the official image.
set -e
me="$(basename "$0")"
log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then echo "$@"; fi
}

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
    log "$me: ERROR: $template_dir exists, but $output_dir is not writable"
    exit 0
fi

# envsubst's SHELL-FORMAT argument: the list of references it may replace.
defined="$(awk -v filter="$filter" 'BEGIN { for (name in ENVIRON) if (name ~ filter) printf "${%s} ", name }')"

find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative="${template#"$template_dir/"}"
    output="$output_dir/${relative%"$suffix"}"
    mkdir -p "$(dirname "$output")"
    log "$me: Running envsubst on $template to $output"
    envsubst "$defined" <"$template" >"$output"
done
