FROM node:22
# want "ADD \\. copies the whole build context, and the context has no \\.dockerignore"
ADD . /app
