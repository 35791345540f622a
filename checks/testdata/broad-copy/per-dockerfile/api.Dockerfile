FROM node:22
# want "\\.dockerignore excludes the standard secret files"
COPY . /app
