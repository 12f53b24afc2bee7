#!/bin/bash
# Stand-in for DLRN's scripts/build_srpm.sh without mock (bench_scale).
# Same arguments and environment as the real one (TARGET PROJECT_NAME
# OUTPUT_DIRECTORY DATA_DIR BASEURL DISTGIT_DIR; DLRN_SOURCE_COMMIT,
# RELEASE_DATE) and the same steps: check out the commit, version from the
# newest tag (+1 on Z after post-tag commits), release 0.<date>.<sha7>,
# tarball of the checkout, spec rewrite, then `rpmbuild -bs` instead of
# `mock --buildsrpm`.
set -eo pipefail
shift
PROJECT_NAME=$1
OUTPUT_DIRECTORY=$2
DATA_DIR=$3
DISTGIT_DIR=$5
exec &> >(tee "${OUTPUT_DIRECTORY}/rpmbuild.log")
TOP_DIR=$(mktemp -d)
trap 'rm -rf ${TOP_DIR}' EXIT
mkdir -p "${TOP_DIR}/SOURCES" "${TOP_DIR}/SPECS"

cd "${DATA_DIR}/${PROJECT_NAME}"
git clean -dxfq
git checkout -qf "${DLRN_SOURCE_COMMIT}"
version="$(git describe --abbrev=0 --tags 2>/dev/null | sed 's/^[vVrR]//' || :)"
if [ -n "$version" ] && [ "$(git describe --tags)" != "$version" ]; then
    version=$(awk -F. '{ for (i=1;i<NF;i++) printf $i"."; print $NF+1 }' <<< "$version")
fi
version=${version:-0.0.1}
RELEASE=0.${RELEASE_DATE}.$(git log --abbrev=7 -n1 --format=format:%h)
SOURCEWITHREL=${PROJECT_NAME}-${version}-${RELEASE}.tar.gz
tar zcf "${TOP_DIR}/SOURCES/${SOURCEWITHREL}" --exclude=.git \
    --transform="s@^${PWD#/}@${PROJECT_NAME}-${version}@" "$PWD" 2>/dev/null

cd "${DISTGIT_DIR}"
cp -a ./* "${TOP_DIR}/SOURCES/"
cp ./*.spec "${TOP_DIR}/SPECS/"
cd "${TOP_DIR}/SPECS/"
sed -i -e "1i%define upstream_version ${version}" ./*.spec
sed -i -e "1i%global dlrn 1" ./*.spec
sed -i -e "s/Version:.*/Version: ${version}/g" ./*.spec
sed -i -e "s/Release:.*/Release: ${RELEASE}%{?dist}/g" ./*.spec
sed -i -e "s/^\(Source\|Source0\):.*/\1: ${SOURCEWITHREL}/" ./*.spec
sed -i -e '/^%changelog.*/q' ./*.spec
rpmbuild -bs --define "_topdir ${TOP_DIR}" --define "_srcrpmdir ${OUTPUT_DIRECTORY}" \
    --define "dist .el9" ./*.spec
