/**
 * discord.js 14's own Gateway and REST layers — `@discordjs/ws` and `@discordjs/rest`, the packages its
 * `Client` is built on — resolved through the installed discord.js, so they are exactly the versions
 * discord.js ships with.
 *
 * The connector reads raw dispatches and journals them. discord.js's `Client` on top would build and
 * cache a Message, its author's GuildMember, its mentions… for every dispatch, which nothing here
 * reads: that was a third of the connector's CPU per message (cpuprofile of `npm run bench -- discord`)
 * and extra idle memory. Loaded with `require`: they are CommonJS packages, and an ESM import of a CJS
 * package kept more memory resident (measured on discord.js: 87 vs 78 MB settled).
 */
import { createRequire } from 'node:module';
import type * as DiscordRest from '@discordjs/rest';
import type * as DiscordWs from '@discordjs/ws';

const fromDiscordJs = createRequire(createRequire(import.meta.url).resolve('discord.js'));

export const discordWs = fromDiscordJs('@discordjs/ws') as typeof DiscordWs;
export const discordRest = fromDiscordJs('@discordjs/rest') as typeof DiscordRest;
