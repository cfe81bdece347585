import { v7 as uuidV7 } from 'uuid';
import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import type { ServiceModule } from '../../platform/service.js';
import { s3AvatarStore } from './avatar-store.js';
import { usersRoutes } from './http.js';
import { usersResources } from './resources.js';
import { dynamoUserStore } from './user-store.js';

export const usersService: ServiceModule<typeof usersResources> = {
  name: 'users',
  resources: usersResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker },
  create: ({ aws, resources, clock, config, mode }) => ({
    routes: usersRoutes({
      users: dynamoUserStore(aws.documents, resources.tables.users.name, clock),
      avatars: s3AvatarStore(aws.s3, resources.buckets.avatars.name),
      clock,
      newId: uuidV7,
      maxAvatarBytes: config.maxAvatarBytes,
      avatarDelivery: mode === 'local' ? 'stream' : 'redirect',
      publicUrl: config.publicUrl,
    }),
  }),
};
