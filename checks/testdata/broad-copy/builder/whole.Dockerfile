FROM node:22 AS build
WORKDIR /src
# want "COPY \\. copies the whole build context into stage \"build\", and COPY --from on line 7 ships it, and \\.dockerignore does not exclude"
COPY . .
RUN npm ci && npm run build
FROM node:22-slim
COPY --from=build /src /app
